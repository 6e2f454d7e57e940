/// Text -> ranked intents. (Being written.)
struct IntentMatcher: Sendable {
    let fallbackID: String
    init(knowledge: KnowledgeBase) {
        fallbackID = knowledge.intent(role: .fallback)?.id ?? "out_of_scope"
    }
    func classify(_ text: String) -> Classification {
        Classification(intent: fallbackID, confidence: 0, platform: nil, ranked: [])
    }
}

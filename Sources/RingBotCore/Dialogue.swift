import Foundation
/// The dialogue state machine. (Being written.)
struct Dialogue: Sendable {
    let knowledge: KnowledgeBase
    let matcher: IntentMatcher
    func respond(to text: String, state: inout ConversationState, now: Date) -> Reply {
        let c = matcher.classify(text)
        return Reply(intent: c.intent, platform: c.platform, confidence: c.confidence, document: ReplyDocument([.paragraph("…")]), answered: false)
    }
}

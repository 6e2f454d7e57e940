/// Checks a loaded knowledge base for mistakes that span files: duplicate ids,
/// links to unknown topics, missing conversation roles. Pure; returns problems.
public enum KnowledgeValidator {
    /// Structural problems; any of them makes the knowledge unusable.
    public static func structuralProblems(_ knowledge: KnowledgeBase) -> [KnowledgeProblem] {
        var problems: [KnowledgeProblem] = []
        var firstIntent: [String: Intent] = [:]
        for intent in knowledge.intents {
            if let first = firstIntent[intent.id] {
                problems.append(KnowledgeProblem(intent.location, "duplicate intent id `\(intent.id)`; it is first defined at \(first.location)"))
            } else {
                firstIntent[intent.id] = intent
            }
        }
        var firstPack: [String: KnowledgePack] = [:]
        for pack in knowledge.packs {
            if let first = firstPack[pack.id] {
                problems.append(KnowledgeProblem(pack.location, "duplicate pack id `\(pack.id)`; it is first defined at \(first.location)"))
            } else {
                firstPack[pack.id] = pack
            }
        }
        func checkLink(_ id: String, at location: SourceLocation, from intent: Intent) {
            guard firstIntent[id] == nil else { return }
            var message = "`\(intent.id)` links to unknown topic `\(id)`"
            let close = firstIntent.keys.filter { editDistance($0, id) <= 3 }.sorted()
            if let suggestion = close.first { message += "; did you mean `\(suggestion)`?" }
            problems.append(KnowledgeProblem(location, message))
        }
        for intent in knowledge.intents {
            for cause in intent.causes { if let topic = cause.topic { checkLink(topic, at: cause.location, from: intent) } }
            for fix in intent.fixes { if let topic = fix.topic { checkLink(topic, at: fix.location, from: intent) } }
            for (index, id) in intent.related.enumerated() {
                let location = index < intent.relatedLocations.count ? intent.relatedLocations[index] : intent.location
                checkLink(id, at: location, from: intent)
            }
            var fixIDs: Set<String> = []
            for fix in intent.fixes where !fixIDs.insert(fix.id).inserted {
                problems.append(KnowledgeProblem(fix.location, "duplicate fix id `\(fix.id)` in `\(intent.id)`"))
            }
            problems += missingDoers(intent)
            if intent.role == .topic && intent.phrases.isEmpty && intent.examples.isEmpty {
                problems.append(KnowledgeProblem(intent.location, "topic `\(intent.id)` has neither examples nor phrases"))
            }
        }
        let anchor = knowledge.intents.first?.location ?? SourceLocation(file: "Knowledge", line: 0)
        if knowledge.intent(role: .fallback) == nil {
            problems.append(KnowledgeProblem(anchor, "no intent has `role: fallback`; add one (usually `out_of_scope`) so the bot can say what it cannot answer"))
        }
        if !knowledge.intents.contains(where: { $0.role == .topic }) {
            problems.append(KnowledgeProblem(anchor, "no topics: add at least one intent with `role: topic`"))
        }
        return problems
    }

    /// Examples that the matcher assigns to a different intent than the one they are written under.
    public static func misassignedExamples(_ assistant: Assistant) -> [KnowledgeProblem] {
        var problems: [KnowledgeProblem] = []
        for intent in assistant.knowledge.intents {
            for example in intent.examples {
                let result = assistant.classify(example.text)
                if result.intent != intent.id {
                    problems.append(KnowledgeProblem(example.location,
                        "example \"\(example.text)\" of `\(intent.id)` is matched to `\(result.intent)` (confidence \(Decimal2(result.confidence))); rephrase it or add a phrase"))
                }
            }
        }
        return problems
    }

}

/// Levenshtein distance between two strings (by Character), for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

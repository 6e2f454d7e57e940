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

    /// Examples that the matcher sends to another intent when they are left out of its
    /// training: stratified k-fold cross-validation (each example is held out once), so an
    /// example cannot simply match itself. These are warnings for knowledge authors: a
    /// matcher that generalises still misses a few.
    /// - Parameters:
    ///   - kind: the matcher to check; `.hybrid` needs `embedding`.
    ///   - embedding: every training text's sentence embedding (a compiled matcher's
    ///     ``CompiledMatcher/embeddingsByText``).
    public static func crossValidation(_ knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning(),
                                       kind: MatcherKind = .lexical, embedding: [String: [Float]] = [:],
                                       folds: Int = 5) -> CrossValidationReport {
        var report = CrossValidationReport()
        let lookup = TableEmbedder(table: embedding)
        for fold in 0..<max(2, folds) {
            var training = knowledge
            var heldOut: [(example: Example, intent: String)] = []
            for (i, intent) in knowledge.intents.enumerated() {
                let examples = intent.examples
                training.intents[i].examples = examples.enumerated().filter { $0.offset % folds != fold }.map(\.element)
                heldOut += examples.enumerated().filter { $0.offset % folds == fold }.map { ($0.element, intent.id) }
            }
            guard !heldOut.isEmpty else { continue }
            let matcher: IntentMatcher
            switch kind {
            case .lexical:
                matcher = IntentMatcher(knowledge: training, tuning: tuning)
            case .hybrid:
                let texts = IntentMatcher.trainingTexts(training, tuning)
                let model = IntentMatcher.train(knowledge: training, tuning: tuning, texts: texts) { lookup.embed($0) }
                matcher = IntentMatcher(knowledge: training, tuning: tuning, embedder: lookup, model: model)
            }
            for (example, expected) in heldOut {
                report.total += 1
                let result = matcher.classify(example.text)
                if result.intent == expected {
                    report.correct += 1
                } else {
                    report.misassigned.append(KnowledgeProblem(example.location,
                        "warning: example \"\(example.text)\" of `\(expected)` goes to `\(result.intent)` (confidence \(Decimal2(result.confidence))) when left out of training; rephrase it, add similar examples or a key phrase"))
                }
            }
        }
        report.misassigned.sort { ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line) }
        return report
    }
}

/// What ``KnowledgeValidator/crossValidation(_:tuning:kind:embedding:folds:)`` found.
public struct CrossValidationReport: Sendable {
    /// Examples held out and classified.
    public var total = 0
    /// Of those, how many went to their own intent.
    public var correct = 0
    /// A warning for each example that went elsewhere, in file order.
    public var misassigned: [KnowledgeProblem] = []

    /// `correct / total` (1 when there was nothing to hold out).
    public var accuracy: Double { total == 0 ? 1 : Double(correct) / Double(total) }
}

/// Embeddings looked up in a table made earlier by the real encoder (a zero vector for a text
/// it lacks, which then counts for nothing).
struct TableEmbedder: SentenceEmbedder {
    let table: [String: [Float]]
    let dimension: Int

    init(table: [String: [Float]]) {
        self.table = table
        self.dimension = table.first?.value.count ?? 0
    }

    var fingerprint: String { "table" }

    func embed(_ text: String) -> [Float] {
        table[text] ?? [Float](repeating: 0, count: dimension)
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

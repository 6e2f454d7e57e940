import Foundation

/// The core's front door: built once from the knowledge, then asked to classify
/// single messages or to answer the next turn of a conversation.
/// Pure and thread-safe: it holds no mutable state; the caller keeps each
/// conversation's ``ConversationState``.
public struct Assistant: Sendable {
    public let knowledge: KnowledgeBase
    let matcher: IntentMatcher
    let dialogue: Dialogue

    /// Builds the lexical matcher from `knowledge`. Fast (a few milliseconds).
    public init(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning()) {
        self.init(knowledge: knowledge, matcher: IntentMatcher(knowledge: knowledge, tuning: tuning))
    }

    /// Builds the hybrid matcher (sentence embedding + lexical terms) from a compiled
    /// matcher: see ``compile(knowledge:tuning:embedder:key:progress:)``. Fast.
    public init(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning(),
                embedder: any SentenceEmbedder, compiled: CompiledMatcher) {
        self.init(knowledge: knowledge,
                  matcher: IntentMatcher(knowledge: knowledge, tuning: tuning, embedder: embedder, compiled: compiled))
    }

    private init(knowledge: KnowledgeBase, matcher: IntentMatcher) {
        self.knowledge = knowledge
        self.matcher = matcher
        self.dialogue = Dialogue(knowledge: knowledge, matcher: matcher)
    }

    /// Trains the hybrid matcher: encodes every example and key phrase with `embedder`
    /// (seconds: about one encoder call each) and fits the classifier. Deterministic.
    /// - Parameters:
    ///   - key: the cache key the result is stored under (opaque to the core).
    ///   - reuse: embeddings already computed by the same embedder (an earlier compile's
    ///     ``CompiledMatcher/embeddingsByText``): only texts missing from it are encoded.
    ///   - progress: called after each text with (done, total).
    public static func compile(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning(),
                               embedder: any SentenceEmbedder, key: String, reuse: [String: [Float]] = [:],
                               progress: (Int, Int) -> Void = { _, _ in }) -> CompiledMatcher {
        IntentMatcher.compile(knowledge: knowledge, tuning: tuning, embedder: embedder, key: key, reuse: reuse,
                              progress: progress)
    }

    /// The texts a compile encodes: every example and key phrase (for progress totals).
    public static func trainingTextCount(_ knowledge: KnowledgeBase) -> Int {
        knowledge.intents.reduce(0) { $0 + $1.examples.count + $1.phrases.count }
    }

    /// Which features this assistant's matcher reads.
    public var matcherKind: MatcherKind { matcher.kind }

    /// Classifies one message with no dialogue context. The message is cut to
    /// ``TextNormalizer/maxInputScalars`` first.
    public func classify(_ text: String) -> Classification {
        matcher.classify(text)
    }

    /// What the words of `text` alone say (the hybrid matcher without the sentence embedding).
    public func lexicalVerdict(_ text: String) -> Classification {
        matcher.lexicalVerdict(matcher.analyzer.analyze(TextNormalizer.cut(text)))
    }

    /// The analyser's view of `text` (terms, platform, cues), for explaining a match.
    public func analyze(_ text: String) -> MessageAnalysis {
        matcher.analyzer.analyze(TextNormalizer.cut(text))
    }

    /// Answers the next user turn of a conversation, updating `state`. The message is cut
    /// to ``TextNormalizer/maxInputScalars`` first.
    /// - Parameter now: the current time, for idle expiry (the core reads no clock).
    public func respond(to text: String, state: inout ConversationState, now: Date) -> Reply {
        dialogue.respond(to: TextNormalizer.cut(text), state: &state, now: now)
    }
}

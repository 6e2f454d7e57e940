import Foundation
import RingBotCore
import RingBotKnowledge

/// Builds the hybrid assistant: from the compiled-matcher cache when it is fresh, else by
/// compiling the knowledge (encoding every example: seconds) and storing the result.
public struct HybridAssistantLoader: Sendable {
    public let cache: CompiledMatcherCache

    public init(cache: CompiledMatcherCache) {
        self.cache = cache
    }

    /// What a load did, for logs and for `kb check`.
    public struct Result: Sendable {
        public var assistant: Assistant
        public var compiled: CompiledMatcher
        /// Whether the cache was stale or missing and the knowledge was compiled now.
        public var rebuilt: Bool
        /// How many training texts were encoded now (the rest came from an earlier compile).
        public var encoded: Int
        /// A cache problem worth a warning (an unusable entry, a folder that cannot be written).
        public var warnings: [String]
    }

    /// Reports progress while compiling: `started(total)`, `advanced(done, total)`, `finished`.
    public struct Progress: Sendable {
        public var started: @Sendable (Int) -> Void
        public var advanced: @Sendable (Int, Int) -> Void
        public var finished: @Sendable (_ seconds: Double) -> Void

        public init(started: @escaping @Sendable (Int) -> Void = { _ in },
                    advanced: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
                    finished: @escaping @Sendable (Double) -> Void = { _ in }) {
            self.started = started
            self.advanced = advanced
            self.finished = finished
        }
    }

    /// Loads or compiles, on the calling thread (a long computation on a miss: async callers
    /// run it on a thread of its own, never on the cooperative pool).
    /// - Parameters:
    ///   - directory: the knowledge folder `knowledge` was loaded from (its files are hashed).
    ///   - force: compile even when the cache is fresh (`kb compile --force`).
    public func load(knowledge: KnowledgeBase, directory: String, tuning: MatcherTuning,
                     embedder: any SentenceEmbedder, force: Bool = false, progress: Progress = Progress()) -> Result {
        let key = CompileCacheKey.make(sources: KnowledgeLoader.sources(directory: directory), tuning: tuning,
                                       embedderFingerprint: embedder.fingerprint)
        var warnings: [String] = []
        if !force {
            switch cache.load(key: key) {
            case .hit(let compiled):
                return Result(assistant: Assistant(knowledge: knowledge, tuning: tuning, embedder: embedder, compiled: compiled),
                              compiled: compiled, rebuilt: false, encoded: 0, warnings: [])
            case .missing:
                break
            case .unusable(let why):
                warnings.append("the compiled knowledge cache entry is unusable (\(why)); rebuilding it")
            }
        }
        let reuse = cache.reusableEmbeddings(embedderFingerprint: embedder.fingerprint)
        let texts = Set(knowledge.intents.flatMap { $0.examples.map(\.text) + $0.phrases.map(\.text) })
        let encoded = texts.filter { reuse[$0] == nil }.count
        let start = Date()
        progress.started(Assistant.trainingTextCount(knowledge))
        let compiled = Assistant.compile(knowledge: knowledge, tuning: tuning, embedder: embedder, key: key,
                                         reuse: reuse, progress: progress.advanced)
        progress.finished(Date().timeIntervalSince(start))
        do {
            try cache.store(compiled, embedderFingerprint: embedder.fingerprint)
        } catch {
            warnings.append("cannot write the compiled knowledge cache in \(cache.directory.path) (\(error.localizedDescription)); every start will compile again until it is writable, or set \(CompiledMatcherCache.environmentVariable)")
        }
        return Result(assistant: Assistant(knowledge: knowledge, tuning: tuning, embedder: embedder, compiled: compiled),
                      compiled: compiled, rebuilt: true, encoded: encoded, warnings: warnings)
    }
}

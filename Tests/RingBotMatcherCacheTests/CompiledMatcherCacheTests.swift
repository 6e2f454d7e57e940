import Foundation
import Testing
import RingBotCore
import RingBotKnowledge
@testable import RingBotMatcherCache

/// A deterministic stand-in for the sentence encoder that counts its calls: these tests are
/// about the cache (keys, reuse, damage, atomic writes), not about the encoder, whose own
/// tests run the real model.
final class CountingEmbedder: SentenceEmbedder, @unchecked Sendable {
    // Mutated only by the single thread running a compile in these tests.
    private(set) var calls = 0
    let fingerprint: String
    var dimension: Int { 8 }

    init(fingerprint: String = "counting-v1") { self.fingerprint = fingerprint }

    func embed(_ text: String) -> [Float] {
        calls += 1
        var vector = [Float](repeating: 0, count: dimension)
        for (i, byte) in text.utf8.enumerated() { vector[(i + Int(byte)) % dimension] += Float(byte % 7) + 1 }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}

/// A copy of the valid knowledge fixture in a temporary folder, and a cache folder beside it.
struct Workspace {
    let root: URL
    var knowledge: String { root.appendingPathComponent("knowledge").path }
    var cache: CompiledMatcherCache { CompiledMatcherCache(directory: root.appendingPathComponent("cache")) }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-cache-\(UUID().uuidString)")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RingBotKnowledgeTests/Fixtures/valid")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: root.appendingPathComponent("knowledge"))
    }

    func loadKnowledge() throws -> KnowledgeBase { try KnowledgeLoader.load(directory: knowledge) }

    /// Appends an example line to the first intent file that has `examples:`.
    func addExample(_ text: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: knowledge)!
        while let path = enumerator.nextObject() as? String {
            let url = URL(fileURLWithPath: knowledge).appendingPathComponent(path)
            guard path.hasSuffix(".yaml"), var yaml = try? String(contentsOf: url, encoding: .utf8),
                  let range = yaml.range(of: "examples:\n") else { continue }
            yaml.insert(contentsOf: "  - \(text)\n", at: range.upperBound)
            try yaml.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        Issue.record("no intent file with examples in the fixture")
    }

    func cleanup() { try? FileManager.default.removeItem(at: root) }
}

@Suite("Compiled matcher cache")
struct CompiledMatcherCacheTests {
    @Test("a first load compiles and stores; the second is a hit with the same weights")
    func compileThenHit() throws {
        let space = try Workspace()
        defer { space.cleanup() }
        let loader = HybridAssistantLoader(cache: space.cache)
        let embedder = CountingEmbedder()
        let first = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                tuning: MatcherTuning(), embedder: embedder)
        #expect(first.rebuilt)
        #expect(first.warnings.isEmpty)
        #expect(first.encoded > 0 && embedder.calls == first.encoded)
        let second = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                 tuning: MatcherTuning(), embedder: embedder)
        #expect(!second.rebuilt)
        #expect(second.compiled == first.compiled)
        #expect(embedder.calls == first.encoded, "a hit encodes nothing")
        #expect(second.assistant.matcherKind == .hybrid)
        #expect(second.assistant.classify("how can i reset the widget").intent == "reset")
    }

    @Test("an edited knowledge file is a new key, and only the new text is encoded")
    func editedKnowledgeReusesEmbeddings() throws {
        let space = try Workspace()
        defer { space.cleanup() }
        let loader = HybridAssistantLoader(cache: space.cache)
        let embedder = CountingEmbedder()
        let first = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                tuning: MatcherTuning(), embedder: embedder)
        try space.addExample("my widget needs a fresh start")
        let callsBefore = embedder.calls
        let second = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                 tuning: MatcherTuning(), embedder: embedder)
        #expect(second.rebuilt)
        #expect(second.compiled.key != first.compiled.key)
        #expect(second.encoded == 1)
        #expect(embedder.calls - callsBefore == 1)
    }

    @Test("the key changes with the tuning and with the embedder's fingerprint")
    func keyInputs() throws {
        let space = try Workspace()
        defer { space.cleanup() }
        let sources = KnowledgeLoader.sources(directory: space.knowledge)
        #expect(!sources.isEmpty)
        #expect(sources.allSatisfy { !$0.path.hasPrefix("/") }, "paths are relative, so a moved folder keeps its key")
        let base = CompileCacheKey.make(sources: sources, tuning: MatcherTuning(), embedderFingerprint: "a")
        var tuning = MatcherTuning()
        tuning.denseScale += 1
        #expect(CompileCacheKey.make(sources: sources, tuning: tuning, embedderFingerprint: "a") != base)
        #expect(CompileCacheKey.make(sources: sources, tuning: MatcherTuning(), embedderFingerprint: "b") != base)
        #expect(CompileCacheKey.make(sources: sources, tuning: MatcherTuning(), embedderFingerprint: "a") == base)
        #expect(base.count == 64)
    }

    @Test("a damaged entry is reported, rebuilt, and then used", arguments: ["truncated", "garbage", "empty"])
    func damagedEntry(damage: String) throws {
        let space = try Workspace()
        defer { space.cleanup() }
        let loader = HybridAssistantLoader(cache: space.cache)
        let embedder = CountingEmbedder()
        let first = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                tuning: MatcherTuning(), embedder: embedder)
        let file = space.cache.file(for: first.compiled.key)
        let data = try Data(contentsOf: file)
        switch damage {
        case "truncated": try data.prefix(data.count - 5).write(to: file)
        case "garbage": try Data("not a matcher at all".utf8).write(to: file)
        default: try Data().write(to: file)
        }
        let second = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                 tuning: MatcherTuning(), embedder: embedder)
        #expect(second.rebuilt)
        #expect(second.warnings.count == 1)
        #expect(second.warnings.first?.contains("unusable") == true)
        #expect(second.compiled == first.compiled, "training is deterministic")
        let third = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                tuning: MatcherTuning(), embedder: embedder)
        #expect(!third.rebuilt)
    }

    @Test("a cache folder that cannot be written gives a warning and a working assistant")
    func unwritableFolder() throws {
        let space = try Workspace()
        defer { space.cleanup() }
        // A file where the folder should be: creating the folder fails whoever runs the test (even root).
        let blocker = space.root.appendingPathComponent("blocked")
        try Data("x".utf8).write(to: blocker)
        let loader = HybridAssistantLoader(cache: CompiledMatcherCache(directory: blocker.appendingPathComponent("compiled")))
        let result = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                                 tuning: MatcherTuning(), embedder: CountingEmbedder())
        #expect(result.rebuilt)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("cannot write the compiled knowledge cache") == true)
        #expect(result.assistant.classify("widget battery flat again").intent == "battery")
    }

    @Test("only the newest entries are kept")
    func pruning() throws {
        let space = try Workspace()
        defer { space.cleanup() }
        let loader = HybridAssistantLoader(cache: space.cache)
        let embedder = CountingEmbedder()
        for n in 0..<(CompiledMatcherCache.keep + 2) {
            try space.addExample("widget question number \(n)")
            _ = loader.load(knowledge: try space.loadKnowledge(), directory: space.knowledge,
                            tuning: MatcherTuning(), embedder: embedder)
        }
        #expect(space.cache.entries().count == CompiledMatcherCache.keep)
    }

    @Test("the file format round-trips every array exactly")
    func roundTrip() throws {
        let compiled = CompiledMatcher(key: "k", intentIDs: ["a", "b"], features: ["x", "y", "x y"],
                                       weights: [1, -2, 3.5, 0.25, -0.125, 1e-9], bias: [0.5, -0.5],
                                       denseWeights: [1, 2, 3, 4], denseDimension: 2,
                                       texts: ["hello", "wörld ✓"], embeddings: [0.6, 0.8, 1, 0])
        let data = try CompiledMatcherFile.encode(compiled, embedder: "e")
        let (decoded, embedder) = try CompiledMatcherFile.decode(data)
        #expect(decoded == compiled)
        #expect(embedder == "e")
        #expect(compiled.embeddingsByText["wörld ✓"] == [1, 0])
    }
}

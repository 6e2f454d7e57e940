import Foundation
import RingBotCore
import RingBotEncoder
import RingBotKnowledge
import RingBotMatcherCache
import Testing

/// The sentence encoder from the model folder `make model` fills; a missing model fails
/// these tests (it never skips them) with the command that fetches it.
let sharedEncoder: Result<SentenceEncoder, any Error> = Result { try SentenceEncoder() }

/// The hybrid assistant on the real knowledge, from the compiled cache (compiled first when
/// the cache is cold: `make test` warms it with `ringbot kb compile`).
let sharedHybridAssistant: Result<Assistant, any Error> = Result {
    let directory = repositoryRoot.appendingPathComponent("Knowledge").path
    let knowledge = try KnowledgeLoader.load(directory: directory)
    let loader = HybridAssistantLoader(cache: CompiledMatcherCache(directory: CompiledMatcherCache.defaultDirectory()))
    return loader.load(knowledge: knowledge, directory: directory, tuning: MatcherTuning(),
                       embedder: try sharedEncoder.get()).assistant
}

@Suite("Bad input: the tokenizer, the encoder and the hybrid matcher")
struct EncoderRobustnessTests {
    @Test("every family: at most 256 ids from the vocabulary, [CLS] first and [SEP] last; a finite unit embedding",
          arguments: BadInput.allCases)
    func tokenizerAndEncoder(_ family: BadInput) throws {
        let encoder = try sharedEncoder.get()
        let tokenizer = try WordPieceTokenizer(vocabularyFile: ModelFiles.defaultDirectory().appendingPathComponent("vocab.txt"))
        for seed in 0..<(seedsPerFamily / 3) {
            let text = family.generate(seed: seed)
            let context = "family \(family) seed \(seed) input \(hex(text))"
            let ids = tokenizer.encode(TextNormalizer.cut(text))
            #expect(ids.count >= 2 && ids.count <= 256, "\(ids.count) ids; \(context)")
            #expect(ids.first == 101 && ids.last == 102, "\(context)")
            #expect(ids.allSatisfy { $0 >= 0 && $0 < 30522 }, "\(context)")
            let embedding = encoder.embed(TextNormalizer.cut(text))
            #expect(embedding.count == 384, "\(context)")
            #expect(embedding.allSatisfy { $0.isFinite }, "\(context)")
            let norm = embedding.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-3, "norm \(norm); \(context)")
        }
    }

    @Test("every family keeps the core's invariants with the hybrid matcher", arguments: BadInput.allCases)
    func hybridFamily(_ family: BadInput) throws {
        let assistant = try sharedHybridAssistant.get()
        #expect(assistant.matcherKind == .hybrid)
        for seed in 0..<(seedsPerFamily / 3) {
            let text = family.generate(seed: seed)
            exerciseCore(text, "hybrid; family \(family) seed \(seed) input \(hex(text))", assistant: assistant)
        }
    }

    @Test("a 1 MB message reads exactly like its first 1,000 scalars, through both feature extractors")
    func hugeMessagesAreCutOnce() throws {
        let assistant = try sharedHybridAssistant.get()
        for (name, text) in BoundedWorkTests.hugeShapes {
            let whole = assistant.classify(text)
            let cut = assistant.classify(String(String.UnicodeScalarView(text.unicodeScalars.prefix(TextNormalizer.maxInputScalars))))
            #expect(whole == cut, "1 MB \(name)")
        }
    }

    @Test("the tokenizer alone stays linear and bounded on 1 MB of text")
    func tokenizerOnHugeInput() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyFile: ModelFiles.defaultDirectory().appendingPathComponent("vocab.txt"))
        for (name, text) in BoundedWorkTests.hugeShapes {
            let ids = tokenizer.encode(text)
            #expect(ids.count <= 256 && ids.first == 101 && ids.last == 102, "1 MB \(name): \(ids.count) ids")
        }
    }
}

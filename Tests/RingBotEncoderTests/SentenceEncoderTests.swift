import Dispatch
import Foundation
import RingBotCore
import Testing
@testable import RingBotEncoder

/// The real all-MiniLM-L6-v2 (fetched by `make model`) loaded once for the suite; a missing
/// or broken model fails every test with the error that says to run `make model`.
enum RealModel {
    static let encoder = Result { try SentenceEncoder() }
    static let portable = Result { try SentenceEncoder(directory: ModelFiles.defaultDirectory(), allowAVX512: false) }
}

func cosine(_ a: [Float], _ b: [Float]) -> Float {
    var dot: Float = 0, aa: Float = 0, bb: Float = 0
    for (x, y) in zip(a, b) {
        dot += x * y
        aa += x * x
        bb += y * y
    }
    return dot / (aa * bb).squareRoot()
}

@Suite("Sentence encoder on the real model")
struct SentenceEncoderTests {
    /// bf16 weights and activations: measured minimum 0.99996 over the golden set.
    static let threshold: Float = 0.9999

    @Test("every golden sentence's reference ids give the reference embedding (cosine >= 0.9999)")
    func goldenFromIDs() throws {
        let encoder = try RealModel.encoder.get()
        let golden = try GoldenFixture.load()
        #expect(encoder.dimension == golden.dimension)
        for item in golden.cases {
            let vector = encoder.embed(tokenIDs: item.ids)
            #expect(vector.count == 384)
            let similarity = cosine(vector, item.embedding)
            #expect(similarity >= Self.threshold, "\(item.name) (\(item.ids.count) tokens): cosine \(similarity)")
            let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5, "\(item.name): norm \(norm)")
        }
    }

    @Test("end to end from text: every golden sentence's embedding matches the reference (cosine >= 0.9999)")
    func goldenFromText() throws {
        let encoder = try RealModel.encoder.get()
        let embedder: any SentenceEmbedder = encoder
        for item in try GoldenFixture.load().cases {
            let vector = embedder.embed(item.text)
            #expect(vector.count == embedder.dimension)
            let similarity = cosine(vector, item.embedding)
            #expect(similarity >= Self.threshold, "\(item.name): cosine \(similarity)")
            #expect(embedder.embed(item.text) == vector, "\(item.name): not the same bits twice")
        }
    }

    @Test("the portable kernels agree with the reference too (a dozen sentences up to 20 tokens)")
    func portableKernels() throws {
        let encoder = try RealModel.portable.get()
        #expect(encoder.fingerprint.hasSuffix("/bf16-portable-v1"))
        // Unoptimised C in debug builds makes these loops slow: a sample is enough.
        for item in try GoldenFixture.load().cases.filter({ $0.ids.count <= 20 }).prefix(12) {
            let similarity = cosine(encoder.embed(tokenIDs: item.ids), item.embedding)
            #expect(similarity >= Self.threshold, "\(item.name): cosine \(similarity)")
        }
    }

    @Test("the same ids twice give the same bits, also from several threads at once")
    func deterministic() throws {
        let encoder = try RealModel.encoder.get()
        let inputs = try GoldenFixture.load().cases.filter { $0.ids.count <= 40 }.prefix(8).map(\.ids)
        let serial = inputs.map { encoder.embed(tokenIDs: $0) }
        #expect(inputs.map { encoder.embed(tokenIDs: $0) } == serial)
        let results = Results(count: inputs.count * 4)
        DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { index in
            results.set(index, encoder.embed(tokenIDs: inputs[index % inputs.count]))
        }
        for index in 0..<(inputs.count * 4) {
            #expect(results.get(index) == serial[index % inputs.count], "run \(index)")
        }
    }

    @Test("the fingerprint names the model, this weight file and the numeric format")
    func fingerprint() throws {
        let encoder = try RealModel.encoder.get()
        let parts = encoder.fingerprint.split(separator: "/")
        #expect(parts.count == 3)
        #expect(parts.first == "all-MiniLM-L6-v2")
        #expect(parts[1].hasPrefix("90868376-"))  // the weight file's size, hashes of its header and of vocab.txt
        #expect(parts[1].count == "90868376-".count + 16 + 1 + 8)
        #expect(parts.last == "bf16-avx512-v1" || parts.last == "bf16-portable-v1")
        #expect(try SentenceEncoder().fingerprint == encoder.fingerprint)
    }
}

/// Per-index result slots written from several threads (each index by one thread).
private final class Results: @unchecked Sendable {
    private var values: [[Float]]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [Float]) { lock.withLock { values[index] = value } }
    func get(_ index: Int) -> [Float] { lock.withLock { values[index] } }
}

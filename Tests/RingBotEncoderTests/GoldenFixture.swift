import Foundation

/// The sentence encoder's golden reference, `Fixtures/golden.json`, written once by
/// `Tests/Support/encoder/make-golden.py` from sentence-transformers: for each sentence the
/// reference token ids ([CLS] ... [SEP], at most 256) and the L2-normalised embedding.
struct GoldenFixture: Decodable {
    /// One reference sentence.
    struct Case: Decodable {
        /// What the sentence exercises, for test messages.
        let name: String
        let text: String
        /// The model's own tokenizer's ids, truncated like sentence-transformers.
        let ids: [Int32]
        /// `SentenceTransformer.encode(text, normalize_embeddings: true)`, 8 significant digits.
        let embedding: [Float]
    }

    let model: String
    /// The SHA-256 of the `model.safetensors` the embeddings came from.
    let modelSHA256: String
    let maxTokens: Int
    let dimension: Int
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case model, cases, dimension
        case modelSHA256 = "model_sha256"
        case maxTokens = "max_tokens"
    }

    /// Reads the fixture from the test bundle.
    static func load() throws -> GoldenFixture {
        guard let url = Bundle.module.url(forResource: "golden", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "Fixtures/golden.json is not in the test bundle"])
        }
        return try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: url))
    }
}

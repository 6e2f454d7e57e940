import Foundation

/// The sizes of a BERT encoder, read from the model's `config.json`; the weights'
/// shapes are checked against them.
struct BertConfiguration: Equatable, Sendable {
    var hiddenSize: Int
    var layerCount: Int
    var headCount: Int
    var intermediateSize: Int
    var vocabularySize: Int
    var maxPositions: Int
    var typeVocabularySize: Int
    var layerNormEpsilon: Float

    /// Reads and checks `config.json`: a BERT with GELU feed-forward layers whose sizes the
    /// kernels support (hidden and intermediate sizes multiples of 32, head size a multiple of 16).
    init(contentsOf url: URL) throws {
        func fail(_ problem: String) -> EncoderError {
            EncoderError("\(url.path) \(problem); \(ModelFiles.fetchHint)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw fail("cannot be read") }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("is not a JSON object")
        }
        func integer(_ key: String) throws -> Int {
            guard let number = json[key] as? NSNumber, number.doubleValue == Double(number.intValue),
                  number.intValue > 0 else { throw fail("lacks a positive integer \"\(key)\"") }
            return number.intValue
        }
        if let type = json["model_type"] as? String, type != "bert" {
            throw fail("describes a \"\(type)\" model, not BERT")
        }
        if let activation = json["hidden_act"] as? String, activation != "gelu" {
            throw fail("uses the \"\(activation)\" activation; the encoder implements \"gelu\" only")
        }
        hiddenSize = try integer("hidden_size")
        layerCount = try integer("num_hidden_layers")
        headCount = try integer("num_attention_heads")
        intermediateSize = try integer("intermediate_size")
        vocabularySize = try integer("vocab_size")
        maxPositions = try integer("max_position_embeddings")
        typeVocabularySize = (json["type_vocab_size"] as? NSNumber)?.intValue ?? 2
        layerNormEpsilon = (json["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        guard hiddenSize % 32 == 0, intermediateSize % 32 == 0, hiddenSize % headCount == 0,
              (hiddenSize / headCount) % 16 == 0, typeVocabularySize > 0 else {
            throw fail("has sizes the encoder does not support (hidden \(hiddenSize), heads \(headCount), intermediate \(intermediateSize))")
        }
    }
}

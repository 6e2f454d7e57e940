import Foundation

/// all-MiniLM-L6-v2 in Swift: the model's weights and its forward pass, giving the
/// unit-length 384-value embedding of a message.
///
/// Loading maps `model.safetensors`, checks every tensor against `config.json` and packs the
/// dense layers to bf16 (a few tens of milliseconds). `embed` is a long computation (a few
/// milliseconds): call it off the cooperative thread pool. It is safe to call from several
/// threads at once; each call works in its own buffers.
public final class SentenceEncoder: Sendable {
    /// The number of values in every embedding (the model's hidden size).
    public var dimension: Int { weights.configuration.hiddenSize }
    /// Changes whenever the vectors would: the model, a hash of its weight file's header and
    /// size, and the numeric format with the kernel that computes it.
    public let fingerprint: String

    private let weights: BertWeights

    /// Loads the model from `directory`.
    /// - Throws: ``EncoderError`` naming the file when one is missing, truncated or not the
    ///   model expected, with how to fetch it again.
    public convenience init(directory: URL = ModelFiles.defaultDirectory()) throws {
        try self.init(directory: directory, allowAVX512: true)
    }

    /// Loads the model, on the portable kernels only when `allowAVX512` is false.
    init(directory: URL, allowAVX512: Bool) throws {
        let missing = ModelFiles.missing(in: directory)
        guard missing.isEmpty else {
            throw EncoderError("\(directory.path) lacks \(missing.joined(separator: ", ")); \(ModelFiles.fetchHint)")
        }
        let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        weights = try BertWeights(file: file, configuration: configuration, allowAVX512: allowAVX512)
        let kernel = weights.usesAVX512 ? "avx512" : "portable"
        fingerprint = "\(ModelFiles.modelName)/\(file.identity)/bf16-\(kernel)-v1"
    }

    /// The embedding of already tokenized text: `[CLS] ... [SEP]` ids from the model's
    /// vocabulary (at most 512 are read). Unit length, ``dimension`` values.
    public func embed(tokenIDs: [Int32]) -> [Float] {
        weights.sentenceEmbedding(tokenIDs: tokenIDs)
    }
}

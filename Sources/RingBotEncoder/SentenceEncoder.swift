import Foundation
import RingBotCore

/// all-MiniLM-L6-v2 in Swift: its WordPiece tokenizer, weights and forward pass, giving the
/// unit-length 384-value embedding of a message (mean pooling over the tokens, then L2 norm).
///
/// Loading maps `model.safetensors`, checks every tensor against `config.json` and maps the
/// dense layers packed to bf16 from ``PackedWeightsCache`` (packing them, a few tens of
/// milliseconds, and storing them there when the cache lacks them). `embed` is a long computation (a few
/// milliseconds): call it off the cooperative thread pool. It is safe to call from several
/// threads at once; each call works in its own buffers.
public final class SentenceEncoder: SentenceEmbedder, Sendable {
    /// The number of values in every embedding (the model's hidden size).
    public var dimension: Int { weights.configuration.hiddenSize }
    /// Changes whenever the vectors would: the model, its weight file's size and a hash of its
    /// header, a hash of the vocabulary, and the numeric format with the kernel that computes it.
    public let fingerprint: String
    /// Problems worth one warning line each that did not stop the load (the packed-weights
    /// cache folder cannot be written, so every start packs again).
    public let warnings: [String]
    /// Whether the packed layers were mapped from the cache (false: packed at this load).
    public var packedFromCache: Bool { weights.packedFromCache }

    private let tokenizer: WordPieceTokenizer
    private let weights: BertWeights

    /// Loads the model from `directory`.
    /// - Throws: ``EncoderError`` naming the file when one is missing, truncated or not the
    ///   model expected, with how to fetch it again.
    public convenience init(directory: URL = ModelFiles.defaultDirectory()) throws {
        try self.init(directory: directory, packedCache: PackedWeightsCache(directory: PackedWeightsCache.defaultDirectory()))
    }

    /// Loads the model from `directory`, keeping its packed layers in `packedCache` (nil: pack
    /// in memory at every load).
    public convenience init(directory: URL, packedCache: PackedWeightsCache?) throws {
        try self.init(directory: directory, allowAVX512: true, packedCache: packedCache)
    }

    /// Loads the model, on the portable kernels only when `allowAVX512` is false.
    init(directory: URL, allowAVX512: Bool,
         packedCache: PackedWeightsCache? = PackedWeightsCache(directory: PackedWeightsCache.defaultDirectory())) throws {
        let missing = ModelFiles.missing(in: directory)
        guard missing.isEmpty else {
            throw EncoderError("\(directory.path) lacks \(missing.joined(separator: ", ")); \(ModelFiles.fetchHint)")
        }
        let vocabularyFile = directory.appendingPathComponent("vocab.txt")
        tokenizer = try WordPieceTokenizer(vocabularyFile: vocabularyFile)
        let vocabularyHash = (try? Data(contentsOf: vocabularyFile)).map { data in
            data.withUnsafeBytes { FNV1a.hex($0) }
        } ?? "unread"
        let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
        weights = try BertWeights(file: file, configuration: configuration, allowAVX512: allowAVX512, cache: packedCache)
        warnings = weights.cacheWarning.map { [$0] } ?? []
        let kernel = weights.usesAVX512 ? "avx512" : "portable"
        fingerprint = "\(ModelFiles.modelName)/\(file.identity)-\(vocabularyHash.prefix(8))/bf16-\(kernel)-v1"
    }

    /// The embedding of `text` (its first 254 word pieces, as sentence-transformers reads it):
    /// unit length, ``dimension`` values; empty text still embeds `[CLS] [SEP]`.
    public func embed(_ text: String) -> [Float] {
        embed(tokenIDs: tokenizer.encode(text))
    }

    /// The embedding of already tokenized text: `[CLS] ... [SEP]` ids from the model's
    /// vocabulary (at most 512 are read). Unit length, ``dimension`` values.
    public func embed(tokenIDs: [Int32]) -> [Float] {
        weights.sentenceEmbedding(tokenIDs: tokenIDs)
    }
}

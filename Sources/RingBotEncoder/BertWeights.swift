import CEncoderKernels
import Foundation
import RingBotCachePaths

/// A dense layer's weights as the kernels read them: bf16 in 16-output column blocks
/// (see `ek_pack_weights`), with the fp32 bias. The words are a view into ``BertWeights``'
/// packed buffer, which outlives every layer.
struct PackedLinear: @unchecked Sendable {
    let inputs: Int
    let outputs: Int
    let words: UnsafePointer<UInt32>
    let bias: [Float]

    /// Where each dense layer's words sit in the packed buffer (offsets in words, 64-byte aligned).
    struct Layout {
        /// Per transformer block: query|key|value, attention output, intermediate, output.
        let offsets: [[Int]]
        let totalWords: Int

        init(_ c: BertConfiguration) {
            let h = c.hiddenSize, i = c.intermediateSize
            let shapes = [(3 * h, h), (h, h), (i, h), (h, i)]
            var offset = 0
            offsets = (0..<c.layerCount).map { _ in
                shapes.map { outputs, inputs in
                    defer { offset += (ek_packed_words(Int32(outputs), Int32(inputs)) + 15) / 16 * 16 }
                    return offset
                }
            }
            totalWords = offset
        }
    }

    /// Packs one or more fp32 `[outputs, inputs]` matrices stacked along the outputs
    /// (query, key and value become one product) into `out`.
    static func pack(_ parts: [(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>)], inputs: Int,
                     into out: UnsafeMutablePointer<UInt32>) {
        var offset = 0
        for part in parts {
            let rows = part.bias.count
            ek_pack_weights(part.weight.baseAddress, Int32(rows), Int32(inputs), out + offset)
            offset += ek_packed_words(Int32(rows), Int32(inputs))
        }
    }

    /// The layer whose packed words start at `words`, with the biases of `parts` in order.
    init(_ parts: [(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>)], inputs: Int,
         words: UnsafePointer<UInt32>) {
        self.inputs = inputs
        outputs = parts.reduce(0) { $0 + $1.bias.count }
        self.words = words
        bias = parts.flatMap { Array($0.bias) }
    }
}

/// A LayerNorm's scale and shift.
struct LayerNormWeights: Sendable {
    let gamma: [Float]
    let beta: [Float]
}

/// One transformer block: self-attention and the feed-forward layer, each followed by
/// a residual connection and LayerNorm.
struct BertLayerWeights: Sendable {
    let queryKeyValue: PackedLinear
    let attentionOutput: PackedLinear
    let attentionNorm: LayerNormWeights
    let intermediate: PackedLinear
    let output: PackedLinear
    let outputNorm: LayerNormWeights
}

/// Every weight of a BERT encoder: the word-embedding table stays in the mapped file
/// (a message reads a few rows), the dense layers are packed to bf16: mapped from the packed
/// cache when it holds this file's packing, else packed at load (and stored for the next start).
final class BertWeights: @unchecked Sendable {
    /// Changes whenever packing gives other words: with it, a cache entry of an older packing is not read.
    static let packingVersion = "bf16-blocks16-v1"

    let configuration: BertConfiguration
    /// Whether the forward pass runs the AVX-512 BF16 kernels (else the portable ones).
    let usesAVX512: Bool
    /// `[vocabulary, hidden]`, a view into ``file``'s mapping (immutable).
    let wordEmbeddings: UnsafeBufferPointer<Float>
    /// Position embeddings with the token-type-0 embedding already added: `[positions, hidden]`.
    let positionEmbeddings: [Float]
    let embeddingNorm: LayerNormWeights
    let layers: [BertLayerWeights]
    /// Whether the packed layers came from the cache (false: packed now).
    let packedFromCache: Bool
    /// A problem with the packed cache worth one warning line (its folder cannot be written).
    let cacheWarning: String?
    /// Keeps the mapping alive for ``wordEmbeddings``.
    private let file: SafeTensorsFile
    /// Holds the words every ``PackedLinear`` points into.
    private let packed: PackedWordBuffer

    /// Reads `model.safetensors` checking each tensor's dtype and shape against `configuration`.
    /// `allowAVX512: false` keeps the forward pass on the portable kernels even where the CPU
    /// has AVX-512 BF16 (the tests compare both). `cache` nil packs in memory only.
    init(file: SafeTensorsFile, configuration: BertConfiguration, allowAVX512: Bool = true,
         cache: PackedWeightsCache? = nil) throws {
        usesAVX512 = allowAVX512 && ek_uses_avx512bf16() != 0
        let c = configuration
        let h = c.hiddenSize
        func vector(_ name: String, _ count: Int) throws -> UnsafeBufferPointer<Float> {
            try file.floats(name, shape: [count])
        }
        func norm(_ prefix: String) throws -> LayerNormWeights {
            LayerNormWeights(gamma: Array(try vector(prefix + ".weight", h)), beta: Array(try vector(prefix + ".bias", h)))
        }
        func dense(_ prefix: String, outputs: Int, inputs: Int) throws
            -> (weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>) {
            (try file.floats(prefix + ".weight", shape: [outputs, inputs]), try vector(prefix + ".bias", outputs))
        }
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [c.vocabularySize, h])
        let positions = try file.floats("embeddings.position_embeddings.weight", shape: [c.maxPositions, h])
        let types = try file.floats("embeddings.token_type_embeddings.weight", shape: [c.typeVocabularySize, h])
        positionEmbeddings = [Float](unsafeUninitializedCapacity: c.maxPositions * h) { sums, count in
            for p in 0..<c.maxPositions {
                for j in 0..<h { sums[p * h + j] = positions[p * h + j] + types[j] }
            }
            count = c.maxPositions * h
        }
        embeddingNorm = try norm("embeddings.LayerNorm")

        // Check every tensor before the (slower) packing, so a bad file fails fast.
        var parts: [[(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>)]] = []
        for index in 0..<c.layerCount {
            let p = "encoder.layer.\(index)."
            parts.append([
                try dense(p + "attention.self.query", outputs: h, inputs: h),
                try dense(p + "attention.self.key", outputs: h, inputs: h),
                try dense(p + "attention.self.value", outputs: h, inputs: h),
                try dense(p + "attention.output.dense", outputs: h, inputs: h),
                try dense(p + "intermediate.dense", outputs: c.intermediateSize, inputs: h),
                try dense(p + "output.dense", outputs: h, inputs: c.intermediateSize),
            ])
            _ = try norm(p + "attention.output.LayerNorm")
            _ = try norm(p + "output.LayerNorm")
        }
        let layout = PackedLinear.Layout(c)
        let groups = parts.map { d in [Array(d[0...2]), [d[3]], [d[4]], [d[5]]] }
        let inputs = [h, h, h, c.intermediateSize]
        let key = Self.cacheKey(fileIdentity: "\(file.identity)@\(file.changeStamp)", configuration: c)
        var warning: String?
        if let cache, case .hit(let buffer) = cache.load(key: key, count: layout.totalWords) {
            packed = buffer
            packedFromCache = true
        } else {
            packed = PackedWordBuffer.packed(count: layout.totalWords) { out in
                for (layer, group) in groups.enumerated() {
                    for (k, matrix) in group.enumerated() {
                        for part in matrix { file.prefault(part.weight) }
                        PackedLinear.pack(matrix, inputs: inputs[k], into: out + layout.offsets[layer][k])
                        // The fp32 originals are not read again: let their pages leave the resident set.
                        for part in matrix { file.release(part.weight) }
                    }
                }
            }
            packedFromCache = false
            if let cache {
                do {
                    try cache.store(key: key, words: packed.words)
                } catch {
                    warning = "cannot write the packed encoder weights in \(cache.directory.path) (\((error as? PackedWeightsCache.WriteError)?.description ?? error.localizedDescription)); "
                        + "every start packs them again until it is writable, or set \(CacheRoot.environmentVariable)"
                }
            }
        }
        cacheWarning = warning
        let base = packed.words.baseAddress!
        layers = try (0..<c.layerCount).map { index in
            let p = "encoder.layer.\(index)."
            let group = groups[index]
            func linear(_ k: Int) -> PackedLinear {
                PackedLinear(group[k], inputs: inputs[k], words: base + layout.offsets[index][k])
            }
            return BertLayerWeights(
                queryKeyValue: linear(0),
                attentionOutput: linear(1),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: linear(2),
                output: linear(3),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
        self.configuration = c
        self.file = file
    }

    /// The packed cache's key: the weight file's identity (size, header hash, and where and when
    /// it was written), the shapes, the packing format and which packer ran (AVX-512 or portable).
    static func cacheKey(fileIdentity: String, configuration c: BertConfiguration) -> String {
        let packer = ek_uses_avx512bf16() != 0 ? "avx512" : "portable"
        return "\(ModelFiles.modelName)/\(fileIdentity)/h\(c.hiddenSize)-i\(c.intermediateSize)-l\(c.layerCount)/\(packingVersion)-\(packer)"
    }
}

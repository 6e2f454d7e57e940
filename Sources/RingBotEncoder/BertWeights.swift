import CEncoderKernels
import Foundation

/// A dense layer's weights as the kernels read them: bf16 in 16-output column blocks
/// (see `ek_pack_weights`), with the fp32 bias.
struct PackedLinear: Sendable {
    let inputs: Int
    let outputs: Int
    let words: [UInt32]
    let bias: [Float]

    /// Packs one or more fp32 `[outputs, inputs]` matrices stacked along the outputs
    /// (query, key and value become one product) with their biases, in the same order.
    init(_ parts: [(weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>)], inputs: Int) {
        self.inputs = inputs
        outputs = parts.reduce(0) { $0 + $1.bias.count }
        // Every word is written by the packing: no zero fill first.
        words = [UInt32](unsafeUninitializedCapacity: outputs * inputs / 2) { out, count in
            var offset = 0
            for part in parts {
                let rows = part.bias.count
                ek_pack_weights(part.weight.baseAddress, Int32(rows), Int32(inputs), out.baseAddress! + offset)
                offset += rows * inputs / 2
            }
            count = offset
        }
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
/// (a message reads a few rows), the dense layers are packed to bf16 once at load.
final class BertWeights: @unchecked Sendable {
    let configuration: BertConfiguration
    /// Whether the forward pass runs the AVX-512 BF16 kernels (else the portable ones).
    let usesAVX512: Bool
    /// `[vocabulary, hidden]`, a view into ``file``'s mapping (immutable).
    let wordEmbeddings: UnsafeBufferPointer<Float>
    /// Position embeddings with the token-type-0 embedding already added: `[positions, hidden]`.
    let positionEmbeddings: [Float]
    let embeddingNorm: LayerNormWeights
    let layers: [BertLayerWeights]
    /// Keeps the mapping alive for ``wordEmbeddings``.
    private let file: SafeTensorsFile

    /// Reads `model.safetensors` checking each tensor's dtype and shape against `configuration`.
    /// `allowAVX512: false` keeps the forward pass on the portable kernels even where the CPU
    /// has AVX-512 BF16 (the tests compare both).
    init(file: SafeTensorsFile, configuration: BertConfiguration, allowAVX512: Bool = true) throws {
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
        layers = try (0..<c.layerCount).map { index in
            let p = "encoder.layer.\(index)."
            let d = parts[index]
            for part in d { file.prefault(part.weight) }
            let layer = BertLayerWeights(
                queryKeyValue: PackedLinear(Array(d[0...2]), inputs: h),
                attentionOutput: PackedLinear([d[3]], inputs: h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: PackedLinear([d[4]], inputs: h),
                output: PackedLinear([d[5]], inputs: c.intermediateSize),
                outputNorm: try norm(p + "output.LayerNorm"))
            // The fp32 originals are not read again: let their pages leave the resident set.
            for part in d { file.release(part.weight) }
            return layer
        }
        self.configuration = c
        self.file = file
    }
}

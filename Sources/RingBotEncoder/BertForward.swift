import CEncoderKernels

/// The BERT forward pass over one sequence, then mean pooling and L2 normalisation.
///
/// Single-threaded and deterministic: the same ids give the same bits. Every call works in
/// its own buffers, so several threads may run it at once on shared weights.
extension BertWeights {
    /// The unit-length mean-pooled embedding of `tokenIDs`. Ids outside the vocabulary are read
    /// as id 100 (`[UNK]` in BERT vocabularies); only the first `maxPositions` ids are read.
    /// No ids gives the zero vector.
    func sentenceEmbedding(tokenIDs: [Int32]) -> [Float] {
        let c = configuration
        let h = c.hiddenSize
        let rows = min(tokenIDs.count, c.maxPositions)
        guard rows > 0 else { return [Float](repeating: 0, count: h) }
        let unknown = Int32(min(100, c.vocabularySize - 1))

        // One allocation per call: hidden state, q|k|v, context, sum, feed-forward, bf16 scratch.
        let i = c.intermediateSize
        let attentionScratch = ek_attention_scratch(Int32(rows), Int32(h), Int32(c.headCount))
        var buffer = [Float](repeating: 0, count: rows * (h + 3 * h + h + h + i) + attentionScratch)
        var scratch = [UInt32](repeating: 0, count: rows * max(h, i) / 2)
        return buffer.withUnsafeMutableBufferPointer { all in
            scratch.withUnsafeMutableBufferPointer { words in
                let x = all.baseAddress!
                let qkv = x + rows * h
                let context = qkv + rows * 3 * h
                let sum = context + rows * h
                let inner = sum + rows * h
                let attentionWork = inner + rows * i
                let bf16 = words.baseAddress!
                let fast: Int32 = usesAVX512 ? 1 : 0

                positionEmbeddings.withUnsafeBufferPointer { positions in
                    for t in 0..<rows {
                        var id = tokenIDs[t]
                        if id < 0 || Int(id) >= c.vocabularySize { id = unknown }
                        let word = wordEmbeddings.baseAddress! + Int(id) * h
                        let position = positions.baseAddress! + t * h
                        for j in 0..<h { x[t * h + j] = word[j] + position[j] }
                    }
                }
                layerNorm(x, adding: nil, rows: rows, embeddingNorm)

                for layer in layers {
                    linear(x, rows: rows, layer.queryKeyValue, gelu: false, into: qkv, scratch: bf16)
                    ek_attention(qkv, Int32(rows), Int32(h), Int32(c.headCount), context, attentionWork, fast)
                    linear(context, rows: rows, layer.attentionOutput, gelu: false, into: sum, scratch: bf16)
                    layerNorm(sum, adding: x, rows: rows, layer.attentionNorm)
                    linear(sum, rows: rows, layer.intermediate, gelu: true, into: inner, scratch: bf16)
                    linear(inner, rows: rows, layer.output, gelu: false, into: x, scratch: bf16)
                    layerNorm(x, adding: sum, rows: rows, layer.outputNorm)
                }
                return meanPooledUnitVector(x, rows: rows)
            }
        }
    }

    private func linear(_ input: UnsafePointer<Float>, rows: Int, _ layer: PackedLinear, gelu: Bool,
                        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<UInt32>) {
        layer.bias.withUnsafeBufferPointer { bias in
            ek_linear(input, Int32(rows), Int32(layer.inputs), layer.words, bias.baseAddress,
                      Int32(layer.outputs), gelu ? 1 : 0, output, scratch, usesAVX512 ? 1 : 0)
        }
    }

    /// `x = LayerNorm(x + residual)` row by row (LayerNorm alone when `residual` is nil).
    private func layerNorm(_ x: UnsafeMutablePointer<Float>, adding residual: UnsafePointer<Float>?, rows: Int,
                           _ weights: LayerNormWeights) {
        weights.gamma.withUnsafeBufferPointer { gamma in
            weights.beta.withUnsafeBufferPointer { beta in
                ek_add_layer_norm(x, residual, Int32(rows), Int32(configuration.hiddenSize), gamma.baseAddress,
                                  beta.baseAddress, configuration.layerNormEpsilon, usesAVX512 ? 1 : 0)
            }
        }
    }

    /// The mean of the rows, divided by its length.
    private func meanPooledUnitVector(_ x: UnsafePointer<Float>, rows: Int) -> [Float] {
        let h = configuration.hiddenSize
        var mean = [Float](repeating: 0, count: h)
        for t in 0..<rows {
            for j in 0..<h { mean[j] += x[t * h + j] }
        }
        var squares: Float = 0
        for j in 0..<h {
            mean[j] /= Float(rows)
            squares += mean[j] * mean[j]
        }
        let length = squares.squareRoot()
        guard length > 0 else { return mean }
        return mean.map { $0 / length }
    }
}

import Foundation

/// A tiny BERT (hidden 32, 2 heads, 2 layers) written at test time as a model folder:
/// `config.json`, `vocab.txt` and a `model.safetensors` with deterministic pseudo-random
/// weights, so the reader's checks can be tried on broken variants of a valid file.
struct TinyModel {
    struct Tensor {
        var name: String
        var dtype = "F32"
        var shape: [Int]
        /// Overrides the bytes (default: shape's element count of pseudo-random F32 values).
        var bytes: Data?
    }

    var config: [String: Any] = [
        "model_type": "bert", "hidden_act": "gelu", "hidden_size": 32, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 64, "vocab_size": 12, "max_position_embeddings": 16,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12,
    ]
    var tensors: [Tensor]

    init() {
        let h = 32, i = 64
        var list = [
            Tensor(name: "embeddings.position_ids", dtype: "I64", shape: [1, 16], bytes: Data(count: 128)),
            Tensor(name: "embeddings.word_embeddings.weight", shape: [12, h]),
            Tensor(name: "embeddings.position_embeddings.weight", shape: [16, h]),
            Tensor(name: "embeddings.token_type_embeddings.weight", shape: [2, h]),
            Tensor(name: "embeddings.LayerNorm.weight", shape: [h]),
            Tensor(name: "embeddings.LayerNorm.bias", shape: [h]),
        ]
        for layer in 0..<2 {
            let p = "encoder.layer.\(layer)."
            for part in ["query", "key", "value"] {
                list.append(Tensor(name: p + "attention.self.\(part).weight", shape: [h, h]))
                list.append(Tensor(name: p + "attention.self.\(part).bias", shape: [h]))
            }
            list += [
                Tensor(name: p + "attention.output.dense.weight", shape: [h, h]),
                Tensor(name: p + "attention.output.dense.bias", shape: [h]),
                Tensor(name: p + "attention.output.LayerNorm.weight", shape: [h]),
                Tensor(name: p + "attention.output.LayerNorm.bias", shape: [h]),
                Tensor(name: p + "intermediate.dense.weight", shape: [i, h]),
                Tensor(name: p + "intermediate.dense.bias", shape: [i]),
                Tensor(name: p + "output.dense.weight", shape: [h, i]),
                Tensor(name: p + "output.dense.bias", shape: [h]),
                Tensor(name: p + "output.LayerNorm.weight", shape: [h]),
                Tensor(name: p + "output.LayerNorm.bias", shape: [h]),
            ]
        }
        tensors = list
    }

    /// The `.safetensors` bytes: header length, JSON header (padded to 8 bytes), data.
    func safetensors() throws -> Data {
        var state: UInt32 = 12345
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data = Data()
        for tensor in tensors {
            let bytes = tensor.bytes ?? Data((0..<tensor.shape.reduce(1, *)).flatMap { _ -> [UInt8] in
                state = state &* 1_664_525 &+ 1_013_904_223
                let value = Float(Int(state >> 8) % 2001 - 1000) / 4000
                return withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
            })
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape,
                                   "data_offsets": [data.count, data.count + bytes.count]]
            data.append(bytes)
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) }
        file.append(json)
        file.append(data)
        return file
    }

    /// Writes the three files into a new temporary folder and returns it; `model` replaces
    /// the safetensors bytes when given.
    func write(model: Data? = nil) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        try Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\na\nb\nc\nd\ne\nf\ng\nh\n".utf8).write(to: folder.appendingPathComponent("vocab.txt"))
        try (model ?? safetensors()).write(to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }
}

import Foundation
import Testing
@testable import RingBotEncoder

/// Missing, truncated and wrong model files: each is one `EncoderError` naming the file and
/// ending with how to fetch the model again, never a crash.
@Suite("Model file errors")
struct ModelFileErrorTests {
    /// Loads `folder` expecting an `EncoderError` whose text names `file` and contains `problem`.
    private func expectError(_ folder: URL, file: String, _ problem: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: EncoderError.self, sourceLocation: sourceLocation) {
            _ = try SentenceEncoder(directory: folder)
        }
        guard let text = error?.description else { return }
        #expect(text.contains(file), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains(problem), "\(text)", sourceLocation: sourceLocation)
        #expect(text.hasSuffix(ModelFiles.fetchHint), "\(text)", sourceLocation: sourceLocation)
    }

    @Test("the valid tiny model loads and gives a unit vector on both kernels")
    func tinyModelLoads() throws {
        let folder = try TinyModel().write()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fast = try SentenceEncoder(directory: folder, allowAVX512: true)
        let portable = try SentenceEncoder(directory: folder, allowAVX512: false)
        #expect(fast.dimension == 32)
        let ids: [Int32] = [2, 4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 3]
        for count in [1, 2, 3, 16] {
            let a = fast.embed(tokenIDs: Array(ids.prefix(count)))
            let b = portable.embed(tokenIDs: Array(ids.prefix(count)))
            let norm = a.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
            #expect(zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } > 0.9999, "\(count) tokens")
        }
        #expect(fast.embed(tokenIDs: []) == [Float](repeating: 0, count: 32))
        // Ids outside the vocabulary count as [UNK]; more ids than positions are cut.
        #expect(fast.embed(tokenIDs: [2, 99, 3]) == fast.embed(tokenIDs: [2, 100, 3]))
        #expect(fast.embed(tokenIDs: Array(repeating: 4, count: 40)) == fast.embed(tokenIDs: Array(repeating: 4, count: 16)))
    }

    @Test("a folder without the files names the missing ones")
    func missingFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-none-\(UUID().uuidString)")
        expectError(folder, file: folder.path, "lacks model.safetensors, vocab.txt, config.json")
    }

    @Test("an empty model file")
    func emptyFile() throws {
        expectError(try TinyModel().write(model: Data()), file: "model.safetensors", "too short")
    }

    @Test("a header length past the end of the file")
    func headerPastEnd() throws {
        var model = try TinyModel().safetensors()
        model.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Data($0) })
        expectError(try TinyModel().write(model: model), file: "model.safetensors", "-byte header in a")
    }

    @Test("a header that is not JSON")
    func headerNotJSON() throws {
        var model = withUnsafeBytes(of: UInt64(8).littleEndian) { Data($0) }
        model.append(Data("{nope!!!".utf8))
        expectError(try TinyModel().write(model: model), file: "model.safetensors", "not a JSON object")
    }

    @Test("a truncated file: tensors past its end")
    func truncated() throws {
        let model = try TinyModel().safetensors()
        expectError(try TinyModel().write(model: model.prefix(model.count - 100)), file: "model.safetensors", "past the end")
    }

    @Test("a tensor of the wrong dtype")
    func wrongDtype() throws {
        var tiny = TinyModel()
        let index = tiny.tensors.firstIndex { $0.name == "encoder.layer.1.intermediate.dense.weight" }!
        tiny.tensors[index].dtype = "F16"
        tiny.tensors[index].bytes = Data(count: 64 * 32 * 2)
        expectError(try tiny.write(model: tiny.safetensors()), file: "model.safetensors",
                    "tensor encoder.layer.1.intermediate.dense.weight is F16, expected F32")
    }

    @Test("a tensor whose shape disagrees with config.json")
    func wrongShape() throws {
        var tiny = TinyModel()
        let index = tiny.tensors.firstIndex { $0.name == "encoder.layer.0.output.dense.weight" }!
        tiny.tensors[index].shape = [64, 32]
        expectError(try tiny.write(), file: "model.safetensors",
                    "tensor encoder.layer.0.output.dense.weight has shape [64, 32], expected [32, 64]")
    }

    @Test("a missing tensor")
    func missingTensor() throws {
        var tiny = TinyModel()
        tiny.tensors.removeAll { $0.name == "encoder.layer.1.output.LayerNorm.bias" }
        expectError(try tiny.write(), file: "model.safetensors", "has no tensor encoder.layer.1.output.LayerNorm.bias")
    }

    @Test("byte ranges that disagree with the shape")
    func wrongByteCount() throws {
        var tiny = TinyModel()
        let index = tiny.tensors.firstIndex { $0.name == "embeddings.LayerNorm.bias" }!
        tiny.tensors[index].bytes = Data(count: 31 * 4)
        expectError(try tiny.write(), file: "model.safetensors", "holds 124 bytes, expected 128")
    }

    @Test("a config.json for another model")
    func wrongConfig() throws {
        var tiny = TinyModel()
        tiny.config["hidden_act"] = "relu"
        expectError(try tiny.write(), file: "config.json", "\"relu\" activation")
        tiny = TinyModel()
        tiny.config["hidden_size"] = nil
        expectError(try tiny.write(), file: "config.json", "lacks a positive integer \"hidden_size\"")
        tiny = TinyModel()
        tiny.config["hidden_size"] = 64
        expectError(try tiny.write(), file: "model.safetensors", "expected [12, 64] from config.json")
        tiny = TinyModel()
        tiny.config["hidden_size"] = 48
        expectError(try tiny.write(), file: "config.json", "sizes the encoder does not support (hidden 48")
    }
}

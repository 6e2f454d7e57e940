import Foundation
import Testing
@testable import RingBotEncoder

@Suite("Model files")
struct ModelFilesTests {
    @Test("RINGBOT_MODEL_DIR wins over the cache folder")
    func environmentOverride() {
        let url = ModelFiles.defaultDirectory(environment: ["RINGBOT_MODEL_DIR": "/opt/m", "HOME": "/home/x"])
        #expect(url.path == "/opt/m")
    }

    @Test("the default folder is under the user's cache")
    func defaultFolder() {
        #expect(ModelFiles.defaultDirectory(environment: ["HOME": "/home/x"]).path
                == "/home/x/.cache/ringbot/models/all-MiniLM-L6-v2")
        #expect(ModelFiles.defaultDirectory(environment: ["HOME": "/home/x", "XDG_CACHE_HOME": "/c"]).path
                == "/c/ringbot/models/all-MiniLM-L6-v2")
    }

    @Test("an empty folder lacks all three files")
    func missingFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(ModelFiles.missing(in: folder) == ["model.safetensors", "vocab.txt", "config.json"])
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
        #expect(ModelFiles.missing(in: folder) == ["model.safetensors", "vocab.txt"])
    }
}

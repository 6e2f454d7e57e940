import Foundation

/// Where the repository's pieces are, found from this file's path (not the working directory).
enum ZulipPaths {
    /// The repository root.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let knowledge = repository.appendingPathComponent("Knowledge").path
    static let support = repository.appendingPathComponent("Tests/Support/zulip")
    static let fakeServer = support.appendingPathComponent("fake_zulip.py").path
    static let clientCheck = support.appendingPathComponent("check_with_client.py").path

    /// The virtualenv with Zulip's Python client (`make test` creates it).
    static var clientVenv: String {
        ProcessInfo.processInfo.environment["RINGBOT_ZULIP_VENV"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ringbot/zulip-venv")
    }

    /// The built `ringbot`, next to the test bundle (`swift build --build-tests` builds it).
    static func ringbot() throws -> String {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent())
            candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent())
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(repository.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("ringbot").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ZulipTestError("cannot find the built ringbot next to the tests (looked in \(candidates.map(\.path))); run `swift build` first")
    }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ringbot-zulip-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A failure of the test set-up, with a message saying what to fix.
struct ZulipTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it returns a value or the deadline passes (then throws `what`).
@discardableResult
func eventually<T>(_ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
                   _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        if ContinuousClock.now >= deadline { throw ZulipTestError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

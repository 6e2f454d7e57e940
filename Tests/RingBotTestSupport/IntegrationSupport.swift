import Foundation

/// What the integration tests of every platform share: the built `ringbot`, scratch folders,
/// waiting for a condition, and a set-up error that says what to fix.
public enum IntegrationSupport {
    /// The built `ringbot`, next to the test bundle (`swift build --build-tests` builds it first).
    public static func ringbot() throws -> String {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent())
            candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent())
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(TestKnowledge.packageRoot.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("ringbot").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw IntegrationError("cannot find the built ringbot next to the tests (looked in \(candidates.map(\.path))); run `swift build` first")
    }

    /// A fresh temporary folder named after the suite (`prefix`) and the test (`name`).
    public static func temporaryDirectory(_ prefix: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ringbot-\(prefix)-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A failure of the test set-up, with a message saying what to fix.
public struct IntegrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` until it returns a value or the deadline passes (then throws `what`).
@discardableResult
public func waitFor<T>(_ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
                       _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        if ContinuousClock.now >= deadline { throw IntegrationError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

/// What the local chat (`ringbot repl --json`) answers to a conversation: the oracle for a chat
/// platform's replies (same knowledge, same dialogue).
public struct ReplTurn: Decodable, Sendable {
    public var intent: String
    public var platform: String?
    public var reply: String
}

/// Runs `lines` as one conversation through the built `ringbot repl --json` on the repository's knowledge.
public func replTurns(_ lines: [String]) throws -> [ReplTurn] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try IntegrationSupport.ringbot())
    process.arguments = ["repl", "--json", "--knowledge", TestKnowledge.directory]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(ReplTurn.self, from: Data($0)) }
}

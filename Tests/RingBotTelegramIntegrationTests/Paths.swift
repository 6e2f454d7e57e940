import Foundation
import RingBotTestSupport

/// Where the repository's pieces are, found from this file's path (not the working directory).
enum Paths {
    /// The repository root.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let knowledge = repository.appendingPathComponent("Knowledge").path
    static let telegramSupport = repository.appendingPathComponent("Tests/Support/telegram").path
    static let fakeBotAPI = telegramSupport + "/fake_bot_api.py"

    /// The built `ringbot`, next to the test bundle.
    static func ringbot() throws -> String { try IntegrationSupport.ringbot() }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> String { try IntegrationSupport.temporaryDirectory("tg", name) }
}

/// Runs a program to completion; stdout and stderr together.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Polls `condition` until it returns a value or the deadline passes (then throws `what`).
@discardableResult
func waitFor<T>(_ what: String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(100),
                _ condition: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        if ContinuousClock.now >= deadline { throw IntegrationError("timed out after \(timeout) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

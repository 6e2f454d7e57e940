import Foundation
import RingBotTestSupport
import Testing

/// One fake Zulip server and a `ringbot zulip` process for its bot user.
final class ZulipFixture {
    let server: FakeZulipServer
    let bot: ZulipBotProcess
    let directory: String

    /// - Parameters:
    ///   - config: the bot's YAML settings (flood control and fragment joining off unless given).
    ///   - start: start the bot (and wait until it listens).
    init(name: String, config: String = "flood: {max_messages: 0}\nfragment_wait_seconds: 0\n", start: Bool = true,
         trustFake: Bool = true) async throws {
        directory = try ZulipPaths.temporaryDirectory(name)
        server = try await FakeZulipServer(directory: directory + "/server")
        let configPath = directory + "/ringbot.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        bot = ZulipBotProcess(server: server, stateDirectory: directory + "/state", config: configPath, trustFake: trustFake)
        if start { try await bot.start() }
    }

    deinit {
        // Set RINGBOT_IT_KEEP=1 to keep the state, logs and server folder for a post-mortem.
        if ProcessInfo.processInfo.environment["RINGBOT_IT_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Waits for a reply to `id`; fails at once, with the end of the bot's log, if the bot exits.
    @discardableResult
    func awaitReply(to id: Int, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await waitFor("a reply to message \(id) (bot log: \(bot.logPath))", timeout: timeout) {
            if let reply = try await server.replies(to: id).first { return reply }
            if !bot.isRunning {
                throw ZulipTestError("the bot exited (status \(bot.exitStatus ?? -1)) before replying to \(id): \(bot.log.suffix(1500))")
            }
            return nil
        }
    }

    /// Records an issue for every request of the bot that Zulip's published API does not describe.
    func expectNoAPIViolations(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let violations = try await server.violations()
        #expect(violations.isEmpty, "requests outside Zulip's API: \(violations)", sourceLocation: sourceLocation)
    }
}

/// A reply's Markdown as plain words: escapes, emphasis and list markers removed, whitespace collapsed.
func plainWords(_ markdown: String) -> String {
    var text = markdown.replacingOccurrences(of: "**", with: "")
    text = text.replacingOccurrences(of: "\\", with: "")
    return text.split(whereSeparator: { $0.isWhitespace }).filter { $0 != "*" && $0 != "•" && $0 != "-" }.joined(separator: " ")
}

/// The part of a reply after its quote of the question.
func answerPart(_ reply: [String: Any]) -> String {
    let content = reply["content"] as? String ?? ""
    guard let end = content.range(of: "\n```\n") else {
        return content.split(separator: "\n", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    }
    return String(content[end.upperBound...])
}

/// Runs `ringbot` with `arguments` and a clean environment plus `environment`.
func runRingbot(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ZulipPaths.ringbot())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RINGBOT_") }
    env.merge(environment) { _, new in new }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

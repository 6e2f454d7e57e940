import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot telegram`, run as a separate process against a ``FakeBotAPIServer``.
/// Its stderr and stdout go to files the tests read. Every stop (``terminate()``, ``kill9()``) checks both
/// for the bot token (raw, URL-encoded or JSON-escaped) and records an issue naming the line.
final class TelegramBotProcess {
    let stateDirectory: String
    let logPath: String
    let stdoutPath: String
    private let environment: [String: String]
    private let arguments: [String]
    private var process: Process?

    init(server: FakeBotAPIServer, stateDirectory: String, config: String? = nil, token: String = FakeBotAPIServer.token) throws {
        self.stateDirectory = stateDirectory
        logPath = stateDirectory + ".stderr.log"
        stdoutPath = stateDirectory + ".stdout.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["RINGBOT_TELEGRAM_TOKEN"] = token
        environment["RINGBOT_TELEGRAM_API"] = server.apiURL
        environment["RINGBOT_TELEGRAM_CA_FILE"] = server.caFile
        environment["RINGBOT_STATE_DIR"] = stateDirectory
        self.environment = environment
        arguments = ["telegram", "--knowledge", Paths.knowledge, "--log-level", "trace"] + (config.map { ["--config", $0] } ?? [])
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the bot and waits until it logs that it is listening.
    func start() async throws {
        let startOffset = log.count
        try launch()
        try await waitFor("the bot to listen (log: \(logPath))", timeout: .seconds(60)) { () -> Bool? in
            if let process, !process.isRunning {
                throw IntegrationError("ringbot exited with status \(process.terminationStatus): \(log.suffix(2000))")
            }
            return log.dropFirst(startOffset).contains("info ringbot.telegram: listening") ? true : nil
        }
    }

    /// Starts the bot without waiting (for start-up failures).
    func launch() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
        process.arguments = arguments
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = handle
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        out.seekToEndOfFile()
        process.standardOutput = out
        try process.run()
        self.process = process
    }

    /// Everything the bot wrote to stderr so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process?.isRunning ?? false }
    var pid: Int32 { process?.processIdentifier ?? -1 }

    /// Waits for the bot to exit by itself; returns its status.
    func awaitExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let process else { return -1 }
        try await waitFor("the bot to exit", timeout: timeout) { process.isRunning ? nil : true }
        checkNoSecrets()
        return process.terminationStatus
    }

    /// SIGKILL: no chance to save anything.
    func kill9() async throws {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        try await waitFor("the bot to die") { process.isRunning ? nil : true }
        checkNoSecrets()
    }

    /// SIGTERM, and returns the exit status.
    func terminate() async throws -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        try await waitFor("the bot to exit after SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        checkNoSecrets()
        return process.terminationStatus
    }

    /// Records an issue for every form of the token found in the bot's stderr or stdout.
    func checkNoSecrets(sourceLocation: SourceLocation = #_sourceLocation) {
        let secret = environment["RINGBOT_TELEGRAM_TOKEN"] ?? ""
        let secretPart = String(secret.split(separator: ":").last ?? "")
        for (name, text) in [("stderr", log), ("stdout", stdout)] {
            for form in [secret, secret.replacingOccurrences(of: ":", with: "%3A"), secretPart] where !form.isEmpty {
                if let line = text.split(separator: "\n").first(where: { $0.contains(form) }) {
                    Issue.record("the bot token appears in the bot's \(name): \(line.replacingOccurrences(of: form, with: "<TOKEN>"))",
                                 sourceLocation: sourceLocation)
                }
            }
        }
    }
}

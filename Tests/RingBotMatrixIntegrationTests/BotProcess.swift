import Foundation

/// The built `ringbot matrix`, run as a separate process against a test homeserver.
/// Its stderr goes to a file the tests read (readiness, and the no-secrets check).
final class BotProcess {
    let stateDirectory: String
    let logPath: String
    private let environment: [String: String]
    private let arguments: [String]
    private var process: Process?
    private var logHandle: FileHandle?

    init(homeserver: String, user: String, password: String, stateDirectory: String, config: String? = nil) throws {
        self.stateDirectory = stateDirectory
        logPath = stateDirectory + ".stderr.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["RINGBOT_MATRIX_HOMESERVER"] = homeserver
        environment["RINGBOT_MATRIX_USER"] = user
        environment["RINGBOT_MATRIX_PASSWORD"] = password
        environment["RINGBOT_MATRIX_TOKEN"] = nil
        environment["RINGBOT_STATE_DIR"] = stateDirectory
        self.environment = environment
        arguments = ["matrix", "--knowledge", Paths.knowledge, "--log-level", "trace"]
            + (config.map { ["--config", $0] } ?? [])
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the bot and waits until it logs that it is listening.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
        process.arguments = arguments
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        logHandle = handle
        let startOffset = log.count
        try await waitFor("the bot to listen (log: \(logPath))", timeout: .seconds(60)) { () -> Bool? in
            if !process.isRunning {
                throw IntegrationError("ringbot exited with status \(process.terminationStatus): \(log.suffix(2000))")
            }
            return log.dropFirst(startOffset).contains("info ringbot.matrix: listening") ? true : nil
        }
    }

    /// Everything the bot wrote to stderr so far.
    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// The running bot's pid.
    var pid: Int32 { process?.processIdentifier ?? -1 }

    /// SIGKILL: no chance to save anything.
    func kill9() async throws {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        try await waitFor("the bot to die") { process.isRunning ? nil : true }
    }

    /// SIGTERM, and returns the exit status.
    func terminate() async throws -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        try await waitFor("the bot to exit after SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        return process.terminationStatus
    }
}

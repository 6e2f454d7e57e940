import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot zulip`, run as a separate process against the fake server, trusting the
/// fake's certificate through `RINGBOT_ZULIP_CA_FILE`. Its stderr and stdout go to files the tests read.
///
/// No secret in any output: every stop (``terminate()``, ``kill9()``) checks both for the API
/// key in every form it could leak in (raw, URL-encoded, JSON-escaped, and inside the Basic
/// `Authorization` value) and records an issue naming the line.
final class ZulipBotProcess {
    let stateDirectory: String
    let logPath: String
    let stdoutPath: String
    private(set) var apiKeys: [String]
    private let email: String
    private var environment: [String: String]
    private let arguments: [String]
    private var process: Process?

    /// - Parameter zuliprc: give the credentials, site and CA file in this zuliprc file
    ///   (`RINGBOT_ZULIPRC`) instead of the environment.
    init(server: FakeZulipServer, stateDirectory: String, config: String? = nil, trustFake: Bool = true,
         zuliprc: String? = nil) {
        self.stateDirectory = stateDirectory
        logPath = stateDirectory + ".stderr.log"
        stdoutPath = stateDirectory + ".stdout.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        email = server.bot.email
        apiKeys = [server.bot.api_key]
        var environment = ProcessInfo.processInfo.environment
        environment["RINGBOT_ZULIP_SITE"] = server.baseURL
        environment["RINGBOT_ZULIP_EMAIL"] = server.bot.email
        environment["RINGBOT_ZULIP_API_KEY"] = server.bot.api_key
        environment["RINGBOT_STATE_DIR"] = stateDirectory
        environment["RINGBOT_ZULIP_CA_FILE"] = trustFake ? server.caFile : nil
        environment["RINGBOT_ZULIPRC"] = nil
        if let zuliprc {
            for name in ["RINGBOT_ZULIP_SITE", "RINGBOT_ZULIP_EMAIL", "RINGBOT_ZULIP_API_KEY", "RINGBOT_ZULIP_CA_FILE"] {
                environment[name] = nil
            }
            environment["RINGBOT_ZULIPRC"] = zuliprc
        }
        self.environment = environment
        arguments = ["zulip", "--knowledge", ZulipPaths.knowledge, "--log-level", "trace"]
            + (config.map { ["--config", $0] } ?? [])
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the bot; with `waitUntilListening`, waits until it logs that it is listening.
    func start(waitUntilListening: Bool = true) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try ZulipPaths.ringbot())
        process.arguments = arguments
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = handle
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        out.seekToEndOfFile()
        process.standardOutput = out
        let startOffset = log.count
        try process.run()
        self.process = process
        guard waitUntilListening else { return }
        try await waitFor("the bot to listen (log: \(logPath))", timeout: .seconds(60)) { () -> Bool? in
            if !process.isRunning {
                throw ZulipTestError("ringbot exited with status \(process.terminationStatus): \(log.suffix(2000))")
            }
            return log.dropFirst(startOffset).contains(": listening") ? true : nil
        }
    }

    /// The key the bot will use from its next start (after a rotation on the server, say).
    func useAPIKey(_ key: String) {
        environment["RINGBOT_ZULIP_API_KEY"] = key
        apiKeys.append(key)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process?.isRunning ?? false }
    var exitStatus: Int32? { process.flatMap { $0.isRunning ? nil : $0.terminationStatus } }

    /// SIGKILL: no chance to save anything.
    func kill9() async throws {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        try await waitFor("the bot to die") { process.isRunning ? nil : true }
        checkNoSecrets()
    }

    /// SIGTERM; returns the exit status.
    func terminate() async throws -> Int32 {
        guard let process else { return -1 }
        process.terminate()
        try await waitFor("the bot to exit after SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        checkNoSecrets()
        return process.terminationStatus
    }

    /// Waits for the bot to exit by itself; returns the status.
    func awaitExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let process else { return -1 }
        try await waitFor("the bot to exit", timeout: timeout) { process.isRunning ? nil : true }
        checkNoSecrets()
        return process.terminationStatus
    }

    /// Records an issue for every form of an API key found in the bot's stderr or stdout.
    func checkNoSecrets(sourceLocation: SourceLocation = #_sourceLocation) {
        var forms: Set<String> = []
        for key in apiKeys {
            forms.insert(key)
            forms.insert(Data("\(email):\(key)".utf8).base64EncodedString())
            if let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
        }
        for (name, text) in [("stderr", log), ("stdout", stdout)] {
            for form in forms where text.contains(form) {
                let line = text.split(separator: "\n").first { $0.contains(form) } ?? ""
                Issue.record("a secret appears in the bot's \(name): \(line.replacingOccurrences(of: form, with: "<SECRET>"))",
                             sourceLocation: sourceLocation)
            }
        }
    }
}

import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot matrix`, run as a separate process against a test homeserver.
/// Its stderr and stdout go to files the tests read (readiness, and the no-secrets check).
///
/// No secret in any output: every stop (``terminate()``, ``kill9()``) checks the bot's
/// stderr and stdout for the password and every access token it was seen to use (raw,
/// URL-encoded or JSON-escaped) and records an issue naming the line; so every
/// integration test that stops its bot enforces it.
final class BotProcess {
    let stateDirectory: String
    let logPath: String
    let stdoutPath: String
    private let password: String
    /// Every access token read from the state folder while the bot ran.
    private(set) var seenTokens: Set<String> = []
    private let environment: [String: String]
    private let arguments: [String]
    private var process: Process?
    private var logHandle: FileHandle?

    init(homeserver: String, user: String, password: String, stateDirectory: String, config: String? = nil,
         knowledge: String = Paths.knowledge) throws {
        self.stateDirectory = stateDirectory
        self.password = password
        logPath = stateDirectory + ".stderr.log"
        stdoutPath = stateDirectory + ".stdout.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["RINGBOT_MATRIX_HOMESERVER"] = homeserver
        environment["RINGBOT_MATRIX_USER"] = user
        environment["RINGBOT_MATRIX_PASSWORD"] = password
        environment["RINGBOT_MATRIX_TOKEN"] = nil
        environment["RINGBOT_STATE_DIR"] = stateDirectory
        self.environment = environment
        arguments = ["matrix", "--knowledge", knowledge, "--log-level", "trace"]
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
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        out.seekToEndOfFile()
        process.standardOutput = out
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
        noteStoredToken()
    }

    /// Remembers the access token now in the state folder, for the no-secrets check.
    func noteStoredToken() {
        if let token = try? storedAccessToken() { seenTokens.insert(token) }
    }

    /// The bot's access token, read from its state database.
    func storedAccessToken() throws -> String {
        let script = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select access_token from session').fetchone()[0])"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, stateDirectory + "/ringbot.sqlite"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !token.isEmpty else { throw IntegrationError("no stored access token") }
        return token
    }

    /// The bot's stdout so far.
    var stdout: String {
        (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
    }

    /// Records an issue for every secret found in the bot's stderr or stdout.
    func checkNoSecrets(sourceLocation: SourceLocation = #_sourceLocation) {
        noteStoredToken()
        let secrets = [password] + seenTokens.sorted()
        for (name, text) in [("stderr", log), ("stdout", stdout)] {
            if let leak = firstSecretLine(in: text, secrets: secrets) {
                Issue.record("a secret appears in the bot's \(name): \(leak)", sourceLocation: sourceLocation)
            }
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
        noteStoredToken()
        kill(process.processIdentifier, SIGKILL)
        try await waitFor("the bot to die") { process.isRunning ? nil : true }
        checkNoSecrets()
    }

    /// SIGTERM, and returns the exit status.
    func terminate() async throws -> Int32 {
        guard let process else { return -1 }
        noteStoredToken()
        process.terminate()
        try await waitFor("the bot to exit after SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        checkNoSecrets()
        return process.terminationStatus
    }
}

/// The forms a secret can take in output: raw, URL-encoded (path or form) and JSON-escaped.
func secretForms(_ secret: String) -> Set<String> {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    var forms: Set<String> = [secret]
    if let encoded = secret.addingPercentEncoding(withAllowedCharacters: unreserved) {
        forms.insert(encoded)
        forms.insert(encoded.replacingOccurrences(of: "%20", with: "+"))
    }
    if let data = try? JSONSerialization.data(withJSONObject: [secret]),
       let json = String(data: data, encoding: .utf8) {
        forms.insert(String(json.dropFirst(2).dropLast(2)))   // ["..."] -> ...
    }
    return forms
}

/// The first line of `text` holding any form of any secret (the secret masked), or `nil`.
func firstSecretLine(in text: String, secrets: [String]) -> String? {
    for secret in secrets where !secret.isEmpty {
        for form in secretForms(secret) {
            if let line = text.split(separator: "\n").first(where: { $0.contains(form) }) {
                return line.replacingOccurrences(of: form, with: "<SECRET>")
            }
        }
    }
    return nil
}

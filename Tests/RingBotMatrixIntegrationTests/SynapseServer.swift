import Foundation
import RingBotTestSupport
import Synchronization

/// A throw-away Synapse for one test, driven through Tests/Support/synapse/synapse-harness.py.
/// Listens on 127.0.0.1 on a free port; stopped by ``stop()`` or, at the latest, by `deinit`
/// (so a failing test does not leave it running).
///
/// If the Synapse virtualenv is missing or Synapse does not start, the initialiser throws
/// an error explaining how to fix it: the tests fail, they never skip.
final class SynapseServer: Sendable {
    let dataDirectory: String
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    private let running = Mutex(false)

    /// - Parameter lowRateLimit: a low `rc_message` (0.5/s, burst 2) for every non-exempt user.
    init(lowRateLimit: Bool = false) throws {
        let directory = try Paths.temporaryDirectory("synapse")
        do {
            guard let port = Int(try Self.harness(["free-port"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw IntegrationError("the Synapse harness printed no port")
            }
            try Self.harness(["init", directory, String(port)] + (lowRateLimit ? ["--low-rate-limit"] : []))
            try Self.harness(["start", directory, "--timeout", "60"])
            dataDirectory = directory
            self.port = port
            running.withLock { $0 = true }
        } catch {
            _ = try? Self.harness(["stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        try? stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Starts Synapse and waits until `/_matrix/client/versions` answers.
    func start() throws {
        try Self.harness(["start", dataDirectory, "--timeout", "60"])
        running.withLock { $0 = true }
    }

    /// Stops Synapse (SIGTERM, then waits).
    func stop() throws {
        guard running.withLock({ $0 }) else { return }
        try Self.harness(["stop", dataDirectory])
        running.withLock { $0 = false }
    }

    func restart() throws {
        try stop()
        try start()
    }

    /// Registers a user (not an admin unless asked) and returns its user id.
    @discardableResult
    func register(_ name: String, password: String, admin: Bool = false) throws -> String {
        try Self.harness(["register", dataDirectory, name, password] + (admin ? ["--admin"] : []))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the harness and returns its stdout; throws its `error:` line on failure.
    @discardableResult
    static func harness(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.harness] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw IntegrationError("cannot run python3 \(Paths.harness): \(error); install python3")
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let advice = message.contains("RINGBOT_SYNAPSE_VENV") ? "" : " (see the Synapse log named above; `make synapse` installs Synapse)"
            throw IntegrationError("Synapse harness `\(arguments.first ?? "")` failed: \(message.isEmpty ? "exit \(process.terminationStatus)" : message)\(advice)")
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The same, off the test process's cooperative threads: a Synapse start or stop blocks for
/// seconds, and the tests running meanwhile (other suites, other targets) must not starve.
extension SynapseServer {
    static func make(lowRateLimit: Bool = false) async throws -> SynapseServer {
        try await offThePool { try SynapseServer(lowRateLimit: lowRateLimit) }
    }

    func start() async throws { try await offThePool { try self.start() } }

    func stop() async throws { try await offThePool { try self.stop() } }

    @discardableResult
    func register(_ name: String, password: String, admin: Bool = false) async throws -> String {
        try await offThePool { try self.register(name, password: password, admin: admin) }
    }
}

/// Runs blocking work (a child process) on a thread of its own and awaits its result.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

import Foundation
import RingBotTestSupport
import RingBotHTTP

/// The fake Zulip server (Tests/Support/zulip/fake_zulip.py) for one test: HTTPS on a free
/// loopback port with its own self-signed certificate, and a control API to act as the human
/// users and to break things. Stopped by ``stop()`` or, at the latest, by `deinit`.
final class FakeZulipServer {
    struct User: Decodable {
        var user_id: Int
        var email: String
        var full_name: String
        var api_key: String
    }

    struct Ready: Decodable {
        var base_url: String
        var control_url: String
        var ca_file: String
        var users: [User]
    }

    let directory: String
    private(set) var ready: Ready
    private var process: Process?
    private let http = CurlHTTPClient()

    var baseURL: String { ready.base_url }
    var caFile: String { ready.ca_file }
    var bot: User { ready.users.first { $0.email.hasPrefix("ringbot") }! }
    var alice: User { ready.users.first { $0.email.hasPrefix("alice") }! }
    var bob: User { ready.users.first { $0.email.hasPrefix("bob") }! }

    init(directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        ready = Ready(base_url: "", control_url: "", ca_file: "", users: [])
        try await start()
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Starts the server (again, on the same port and with the same state after ``stop()``).
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ZulipPaths.fakeServer, "serve", "--state-dir", directory, "--heartbeat-seconds", "2"]
        let log = directory + "/fake-zulip.log"
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        do {
            try process.run()
        } catch {
            throw ZulipTestError("cannot run python3 \(ZulipPaths.fakeServer): \(error); install python3")
        }
        self.process = process
        let readyPath = directory + "/ready.json"
        ready = try await waitFor("the fake Zulip server to start (log: \(log))") { () -> Ready? in
            if !process.isRunning { throw ZulipTestError("the fake Zulip server exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            guard let data = FileManager.default.contents(atPath: readyPath) else { return nil }
            return try? JSONDecoder().decode(Ready.self, from: data)
        }
    }

    /// SIGTERM: the server saves its messages and event queues, as Zulip does on a restart.
    func stop() async throws {
        guard let process, process.isRunning else { return }
        process.terminate()
        try await waitFor("the fake Zulip server to stop") { process.isRunning ? nil : true }
    }

    // MARK: Control API

    @discardableResult
    func control(_ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPRequest(method: body == nil ? .get : .post, url: ready.control_url + path)
        if let body {
            request.body = Array(try JSONSerialization.data(withJSONObject: body))
            request.headers = [("Content-Type", "application/json")]
        }
        let response = try await http.send(request)
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard response.status == 200 else {
            throw ZulipTestError("control \(path) failed: \(response.status) \(json["error"] ?? "")")
        }
        return json
    }

    /// A direct message from `sender` to the bot; returns its id.
    @discardableResult
    func directMessage(from sender: User, _ content: String) async throws -> Int {
        try await control("/control/send", ["sender": sender.email, "type": "direct", "to": [bot.email], "content": content])["id"] as! Int
    }

    /// A message in a channel topic; returns its id.
    @discardableResult
    func streamMessage(from sender: User, stream: String = "support", topic: String, _ content: String) async throws -> Int {
        try await control("/control/send", ["sender": sender.email, "type": "stream", "to": stream, "topic": topic,
                                            "content": content])["id"] as! Int
    }

    /// Every message the bot sent, oldest first.
    func botMessages() async throws -> [[String: Any]] {
        let encoded = bot.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? bot.email
        return try await control("/control/messages?sender=\(encoded)")["messages"] as? [[String: Any]] ?? []
    }

    /// The bot's replies to the question `id` (those whose quote link names it).
    func replies(to id: Int) async throws -> [[String: Any]] {
        try await botMessages().filter { ($0["content"] as? String)?.contains("/near/\(id))") == true }
    }

    /// Waits for exactly one reply to `id` and returns it.
    func awaitReply(to id: Int, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await waitFor("a reply to message \(id)", timeout: timeout) { try await replies(to: id).first }
    }

    /// Requests the published API does not describe.
    func violations() async throws -> [String] {
        try await control("/control/violations")["violations"] as? [String] ?? []
    }

    /// Every API request so far: method, path, status, user.
    func requests() async throws -> [[String: Any]] {
        try await control("/control/requests")["requests"] as? [[String: Any]] ?? []
    }

    /// The event queues the server holds.
    func queues() async throws -> [[String: Any]] {
        try await control("/control/state")["queues"] as? [[String: Any]] ?? []
    }
}

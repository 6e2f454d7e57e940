import Foundation
import RingBotTestSupport
import RingBotHTTP

/// A throw-away fake Bot API (Tests/Support/telegram/fake_bot_api.py) for one test: HTTPS with its own CA on
/// 127.0.0.1, and a control API to play the users and the server's faults. Killed by ``stop()`` or `deinit`.
final class FakeBotAPIServer {
    static let token = "7000001:AAE-fake_Secret-token_\(UUID().uuidString.prefix(8))"
    let directory: String
    private(set) var apiURL = ""
    private(set) var controlURL = ""
    private(set) var caFile = ""
    private var apiPort = 0
    private var controlPort = 0
    private var process: Process?
    private let http = CurlHTTPClient()

    init() throws {
        directory = try Paths.temporaryDirectory("fake-bot-api")
        try start()
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the server (again on the same ports and state, after ``stop()``).
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.fakeBotAPI, "--dir", directory, "--token", Self.token,
                             "--api-port", String(apiPort), "--control-port", String(controlPort)]
        let output = Pipe()
        process.standardOutput = output
        // The server's own log (one line per call, never the token) beside its folder, for a post-mortem.
        if !FileManager.default.fileExists(atPath: directory + ".log") {
            _ = FileManager.default.createFile(atPath: directory + ".log", contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + ".log"))
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()
        self.process = process
        guard let line = try output.fileHandleForReading.readLine(),
              let ready = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let api = ready["api"] as? String, let control = ready["control"] as? String, let ca = ready["ca_file"] as? String
        else {
            throw IntegrationError("the fake Bot API did not start (python3 \(Paths.fakeBotAPI)); it needs python3, and its `cryptography` package or the openssl command, for the test certificate")
        }
        apiURL = api
        controlURL = control
        caFile = ca
        apiPort = Int(api.split(separator: ":").last ?? "") ?? 0
        controlPort = Int(control.split(separator: ":").last ?? "") ?? 0
    }

    /// Stops the server process (SIGTERM); its state stays for ``start()``.
    func stop() throws {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// A server restart: the same updates, chats and messages afterwards.
    func restart() throws {
        try stop()
        try start()
    }

    // MARK: Control API

    @discardableResult
    func control(_ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        let request = HTTPRequest(method: body == nil ? .get : .post, url: controlURL + path,
                                  headers: [("Content-Type", "application/json")],
                                  body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) })
        let response = try await http.send(request)
        let value = try JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        guard response.status == 200 else { throw IntegrationError("fake Bot API control \(path) failed: \(value)") }
        return value
    }

    /// A user's text in `chat`; returns the message id.
    @discardableResult
    func say(_ text: String, from user: TelegramPerson, in chat: [String: Any], thread: Int? = nil, replyTo: Int? = nil) async throws -> Int {
        var spec: [String: Any] = ["chat": chat, "from": user.json, "text": text]
        if let thread { spec["thread_id"] = thread }
        if let replyTo { spec["reply_to"] = replyTo }
        let result = try await control("/inject", spec) as? [String: Any]
        guard let id = result?["message_id"] as? Int else { throw IntegrationError("inject answered \(String(describing: result))") }
        return id
    }

    /// Every message the bot sent, oldest first.
    func sent() async throws -> [SentMessage] {
        let list = try await control("/sent") as? [[String: Any]] ?? []
        return list.map { SentMessage(chatID: $0["chat_id"] as? Int ?? 0, messageID: $0["message_id"] as? Int ?? 0,
                                      text: $0["text"] as? String ?? "", html: $0["html"] as? String,
                                      threadID: $0["message_thread_id"] as? Int, replyTo: $0["reply_to_message_id"] as? Int) }
    }

    /// The bot's replies to message `id` in `chat`.
    func replies(to id: Int, in chat: Int) async throws -> [SentMessage] {
        try await sent().filter { $0.chatID == chat && $0.replyTo == id }
    }

    /// Waits for the first reply to message `id` in `chat`.
    func awaitReply(to id: Int, in chat: Int, timeout: Duration = .seconds(30)) async throws -> SentMessage {
        try await waitFor("a reply to message \(id) in chat \(chat)", timeout: timeout) {
            try await self.replies(to: id, in: chat).first
        }
    }

    /// Requests that broke the published Bot API schema (should stay empty).
    func violations() async throws -> [String] {
        try await control("/violations") as? [String] ?? []
    }

    /// The Bot API methods the bot called, in order.
    func calls() async throws -> [(method: String, params: [String: Any])] {
        (try await control("/requests") as? [[String: Any]] ?? []).map {
            ($0["method"] as? String ?? "", $0["params"] as? [String: Any] ?? [:])
        }
    }
}

/// A message the bot sent, as the fake recorded it.
struct SentMessage {
    var chatID: Int
    var messageID: Int
    /// The text the user sees (HTML parsed).
    var text: String
    var html: String?
    var threadID: Int?
    var replyTo: Int?
}

/// A Telegram user played by a test.
struct TelegramPerson {
    var id: Int
    var name: String
    var json: [String: Any] { ["id": id, "is_bot": false, "first_name": name, "username": name.lowercased() + "_tg"] }
    /// The private chat with the bot.
    var privateChat: [String: Any] { ["id": id, "type": "private", "first_name": name] }
}

extension FileHandle {
    /// One line (without the newline), or nil at the end.
    func readLine() throws -> String? {
        var bytes: [UInt8] = []
        while true {
            guard let data = try read(upToCount: 1), let byte = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

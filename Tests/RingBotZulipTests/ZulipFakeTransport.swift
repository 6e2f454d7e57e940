import Foundation
import Logging
import RingBotHTTP

/// An ``HTTPTransport`` that answers from a closure and records every request.
final class ZulipFakeTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `recorded` is only accessed while holding `lock`.
    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []
    private let handler: @Sendable (HTTPRequest, Int) async throws -> HTTPResponse

    /// `handler` gets each request and its index (0 for the first).
    init(_ handler: @escaping @Sendable (HTTPRequest, Int) async throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { lock.withLock { recorded } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = lock.withLock { () -> Int in
            recorded.append(request)
            return recorded.count - 1
        }
        return try await handler(request, index)
    }
}

/// A JSON answer.
func zulipJSON(_ status: Int, _ object: [String: Any], headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, body: Array(try! JSONSerialization.data(withJSONObject: object)))
}

/// A success answer with `fields`.
func success(_ fields: [String: Any] = [:]) -> HTTPResponse {
    zulipJSON(200, ["result": "success", "msg": ""].merging(fields) { _, new in new })
}

/// A message as the API shows it.
func message(id: Int, sender: (id: Int, email: String, name: String) = (10, "alice@zulip.example", "Alice Doe"),
             content: String, stream: (id: Int, name: String, topic: String)? = nil,
             participants: [(Int, String, String)] = [(8, "ringbot-bot@zulip.example", "RingBot"), (10, "alice@zulip.example", "Alice Doe")],
             flags: [String]? = nil) -> [String: Any] {
    var object: [String: Any] = ["id": id, "sender_id": sender.id, "sender_email": sender.email,
                                 "sender_full_name": sender.name, "content": content, "timestamp": 1_700_000_000 + id]
    if let stream {
        object["type"] = "stream"
        object["stream_id"] = stream.id
        object["display_recipient"] = stream.name
        object["subject"] = stream.topic
    } else {
        object["type"] = "private"
        object["subject"] = ""
        object["display_recipient"] = participants.map { ["id": $0.0, "email": $0.1, "full_name": $0.2, "is_mirror_dummy": false] }
    }
    if let flags { object["flags"] = flags }
    return object
}

/// The decoded query (GET) or form body (POST) of a request.
func parameters(of request: HTTPRequest) -> [String: String] {
    let text: String
    if let body = request.body {
        text = String(decoding: body, as: UTF8.self)
    } else {
        text = request.url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    }
    var out: [String: String] = [:]
    for pair in text.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        out[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return out
}

/// The request's path, e.g. `/api/v1/events`.
func path(of request: HTTPRequest) -> String {
    let withoutQuery = request.url.split(separator: "?", maxSplits: 1)[0]
    return String(withoutQuery.dropFirst("https://chat.example".count))
}

/// Records log lines, to check what is logged.
final class ZulipLogRecorder: @unchecked Sendable {
    // @unchecked: `lines` is only accessed while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let recorder: ZulipLogRecorder
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            recorder.append("\(event.level) \(event.message)\(fields)")
        }
    }
}

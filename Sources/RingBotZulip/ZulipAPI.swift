import Foundation
import RingBotHTTP

/// The Zulip REST API calls the bot makes, over an ``HTTPTransport`` (libcurl in production).
///
/// One call, one request: no retries here (the runtime retries with back-off). HTTP Basic auth
/// with the bot's email and API key; the key travels only in the `Authorization` header, and
/// RingBotHTTP logs only the method and path. Failures throw ``ZulipAPIError`` (an error
/// answer, or a 2xx answer that is not Zulip's JSON) or ``HTTPError`` (the network).
public struct ZulipAPI: Sendable {
    /// The server's base URL, without a trailing slash, e.g. `https://chat.example.org`.
    public let site: String
    /// The bot's email address (its Zulip login).
    public let email: String
    private let authorization: String
    private let transport: any HTTPTransport

    /// Time allowed for an ordinary request.
    static let requestTimeout: Duration = .seconds(30)

    public init(site: String, email: String, apiKey: String, transport: any HTTPTransport) {
        var base = site
        while base.hasSuffix("/") { base.removeLast() }
        self.site = base
        self.email = email
        self.authorization = "Basic " + Data("\(email):\(apiKey)".utf8).base64EncodedString()
        self.transport = transport
    }

    /// `GET /users/me`: who the bot is (checks the credentials too).
    public func ownUser() async throws -> ZulipIdentity {
        let json = try await call(.get, "/users/me", [], purpose: "read the bot's own account")
        guard let id = json["user_id"] as? Int, let email = json["email"] as? String,
              let name = json["full_name"] as? String else {
            throw unusable(purpose: "read the bot's own account", "no user_id, email or full_name")
        }
        return ZulipIdentity(userID: id, email: email, fullName: name)
    }

    /// `POST /register`: a queue of message events, with raw Markdown content.
    /// - Parameter idleQueueTimeout: how long the server keeps the queue while nobody polls it.
    public func register(idleQueueTimeout: Int) async throws -> ZulipQueue {
        let purpose = "register an event queue"
        let json = try await call(.post, "/register", [
            ("event_types", "[\"message\"]"),
            ("apply_markdown", "false"),
            ("idle_queue_timeout", String(idleQueueTimeout)),
        ], purpose: purpose)
        guard let id = json["queue_id"] as? String, let last = json["last_event_id"] as? Int else {
            throw unusable(purpose: purpose, "no queue_id or last_event_id")
        }
        let timeout = (json["event_queue_longpoll_timeout_seconds"] as? Int).map { Duration.seconds($0) } ?? .seconds(90)
        return ZulipQueue(id: id, lastEventID: last, maxMessageID: json["max_message_id"] as? Int ?? -1,
                          longPollTimeout: timeout,
                          ignoredParameters: json["ignored_parameters_unsupported"] as? [String] ?? [])
    }

    /// `GET /events`: the queue's events after `lastEventID`, waiting up to the server's
    /// heartbeat interval when there are none (or not at all with `dontBlock`).
    public func events(queueID: String, lastEventID: Int, timeout: Duration, dontBlock: Bool = false) async throws -> [ZulipEvent] {
        var query = [("queue_id", queueID), ("last_event_id", String(lastEventID))]
        if dontBlock { query.append(("dont_block", "true")) }
        let purpose = "poll the event queue"
        let body = try await callRaw(.get, "/events", query, timeout: timeout, purpose: purpose)
        do {
            return try JSONDecoder().decode(EventsAnswer.self, from: body).events
        } catch {
            throw unusable(purpose: purpose, "events that cannot be read (\(error))")
        }
    }

    /// `GET /messages`: up to `numAfter` messages after `anchor` (excluded) matching `narrow`,
    /// or, with `anchor` `nil`, the newest `numBefore` ones.
    public func messages(after anchor: Int?, numBefore: Int = 0, numAfter: Int = 0,
                         narrow: [ZulipNarrow] = []) async throws -> ZulipMessagePage {
        var query: [(String, String)] = [
            ("anchor", anchor.map(String.init) ?? "newest"),
            ("num_before", String(numBefore)),
            ("num_after", String(numAfter)),
            ("apply_markdown", "false"),
        ]
        if anchor != nil { query.append(("include_anchor", "false")) }
        if !narrow.isEmpty { query.append(("narrow", ZulipNarrow.encode(narrow))) }
        let purpose = "read messages"
        let body = try await callRaw(.get, "/messages", query, timeout: Self.requestTimeout, purpose: purpose)
        do {
            let page = try JSONDecoder().decode(MessagesAnswer.self, from: body)
            return ZulipMessagePage(messages: page.messages, foundNewest: page.foundNewest ?? true)
        } catch {
            throw unusable(purpose: purpose, "messages that cannot be read (\(error))")
        }
    }

    /// `POST /messages`: sends `content` (Markdown) to a channel topic or a direct conversation.
    /// Returns the new message's id.
    public func send(_ content: String, to destination: ZulipDestination) async throws -> Int {
        var form: [(String, String)]
        switch destination {
        case .stream(let id, let topic):
            form = [("type", "stream"), ("to", String(id)), ("topic", topic)]
        case .direct(let userIDs):
            form = [("type", "direct"), ("to", "[" + userIDs.map(String.init).joined(separator: ",") + "]")]
        }
        form.append(("content", content))
        let json = try await call(.post, "/messages", form, purpose: "send a reply")
        guard let id = json["id"] as? Int else { throw unusable(purpose: "send a reply", "no message id") }
        return id
    }

    // MARK: Requests

    private func call(_ method: HTTPRequest.Method, _ path: String, _ parameters: [(String, String)],
                      purpose: String) async throws -> [String: Any] {
        let body = try await callRaw(method, path, parameters, timeout: Self.requestTimeout, purpose: purpose)
        return (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// Sends the request and returns the body of a `"result": "success"` answer; throws otherwise.
    private func callRaw(_ method: HTTPRequest.Method, _ path: String, _ parameters: [(String, String)],
                         timeout: Duration, purpose: String) async throws -> Data {
        let encoded = FormEncoding.encode(parameters)
        var url = site + "/api/v1" + path
        var headers: [(name: String, value: String)] = [("Authorization", authorization), ("Accept", "application/json")]
        var body: [UInt8]?
        if method == .get || method == .delete {
            if !encoded.isEmpty { url += "?" + encoded }
        } else {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(encoded.utf8)
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body,
                                  connectTimeout: .seconds(10), timeout: timeout)
        let response = try await transport.send(request)
        let data = Data(response.body)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        if (200..<300).contains(response.status), let json, json["result"] as? String == "success" {
            return data
        }
        guard let json, json["result"] as? String == "error" else {
            let kind = (200..<300).contains(response.status) ? "an answer that is not Zulip's JSON" : "a page that is not Zulip's JSON"
            throw ZulipAPIError(status: response.status, code: nil, message: kind, purpose: purpose)
        }
        let code = json["code"] as? String
        var retryAfter: Duration?
        if response.status == 429 || code == "RATE_LIMIT_HIT" {
            retryAfter = ZulipRetryAfter.parse(body: json["retry-after"], header: response.headers["retry-after"])
        }
        throw ZulipAPIError(status: response.status, code: code, message: json["msg"] as? String ?? "",
                            purpose: purpose, retryAfter: retryAfter)
    }

    private func unusable(purpose: String, _ problem: String) -> ZulipAPIError {
        ZulipAPIError(status: 200, code: nil, message: "an answer with \(problem)", purpose: purpose)
    }
}

/// Where a message goes.
public enum ZulipDestination: Sendable, Equatable {
    /// A topic of a channel (stream), by the channel's id.
    case stream(id: Int, topic: String)
    /// A direct conversation with these users (the bot itself not included).
    case direct(userIDs: [Int])
}

/// One term of a `GET /messages` narrow.
public struct ZulipNarrow: Sendable, Equatable {
    public var `operator`: String
    public var operand: Operand

    /// A narrow operand: a string, a number, or a list of user ids.
    public enum Operand: Sendable, Equatable {
        case string(String)
        case int(Int)
        case ids([Int])
    }

    public init(_ op: String, _ operand: Operand) {
        self.operator = op
        self.operand = operand
    }

    /// The JSON list of `{"operator", "operand"}` objects.
    static func encode(_ terms: [ZulipNarrow]) -> String {
        let objects: [[String: Any]] = terms.map { term in
            let operand: Any
            switch term.operand {
            case .string(let text): operand = text
            case .int(let number): operand = number
            case .ids(let ids): operand = ids
            }
            return ["operator": term.operator, "operand": operand]
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// `application/x-www-form-urlencoded` (also used for query strings): every byte but the RFC 3986
/// unreserved characters is percent-encoded.
enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}

private struct EventsAnswer: Decodable {
    var events: [ZulipEvent]
}

private struct MessagesAnswer: Decodable {
    var messages: [ZulipMessage]
    var foundNewest: Bool?

    enum CodingKeys: String, CodingKey {
        case messages
        case foundNewest = "found_newest"
    }
}

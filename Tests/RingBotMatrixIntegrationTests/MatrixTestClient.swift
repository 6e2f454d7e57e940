import Foundation
import RingBotTestSupport
import RingBotHTTP

/// A minimal Matrix client for the human side of the tests, over the project's HTTP client.
/// Deliberately independent of the connector's code. Retries 429s like any client should.
final class MatrixTestClient {
    let baseURL: String
    let userID: String
    private(set) var accessToken = ""
    private let http = CurlHTTPClient()
    private var transactionCounter = 0

    init(baseURL: String, userID: String) {
        self.baseURL = baseURL
        self.userID = userID
    }

    static func login(_ server: SynapseServer, name: String, password: String) async throws -> MatrixTestClient {
        let client = MatrixTestClient(baseURL: server.baseURL, userID: "@\(name):localhost")
        let answer = try await client.call("POST", "/_matrix/client/v3/login", [
            "type": "m.login.password", "identifier": ["type": "m.id.user", "user": name], "password": password,
        ])
        guard let token = answer["access_token"] as? String else { throw IntegrationError("login of \(name) gave no token") }
        client.accessToken = token
        return client
    }

    /// Acts with an existing token (e.g. the bot's, to revoke it).
    func useAccessToken(_ token: String) { accessToken = token }

    static func encode(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? segment
    }

    /// Sends a request; waits and retries on 429; throws on other errors.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if !accessToken.isEmpty { headers.append(("Authorization", "Bearer \(accessToken)")) }
        let request = HTTPRequest(method: HTTPRequest.Method(rawValue: method) ?? .get, url: baseURL + path,
                                  headers: headers,
                                  body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) })
        while true {
            let response = try await http.send(request)
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
            if response.status == 429 {
                let wait = (json["retry_after_ms"] as? Int) ?? 500
                try await Task.sleep(for: .milliseconds(wait))
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw IntegrationError("\(method) \(path) as \(userID): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
            return json
        }
    }

    func createRoom(invite: [String], direct: Bool) async throws -> String {
        let answer = try await call("POST", "/_matrix/client/v3/createRoom", [
            "invite": invite, "is_direct": direct, "preset": "private_chat",
        ])
        guard let room = answer["room_id"] as? String else { throw IntegrationError("createRoom gave no room_id") }
        return room
    }

    func join(_ roomID: String) async throws {
        try await call("POST", "/_matrix/client/v3/join/\(Self.encode(roomID))", [:])
    }

    func invite(_ userID: String, to roomID: String) async throws {
        try await call("POST", "/_matrix/client/v3/rooms/\(Self.encode(roomID))/invite", ["user_id": userID])
    }

    /// Sends a text message and returns its event id.
    func send(_ text: String, to roomID: String, extra: [String: Any] = [:]) async throws -> String {
        transactionCounter += 1
        var content: [String: Any] = ["msgtype": "m.text", "body": text]
        content.merge(extra) { _, new in new }
        let txn = "t\(transactionCounter)-\(UUID().uuidString.prefix(8))"
        let answer = try await call("PUT", "/_matrix/client/v3/rooms/\(Self.encode(roomID))/send/m.room.message/\(txn)", content)
        guard let id = answer["event_id"] as? String else { throw IntegrationError("send gave no event_id") }
        return id
    }

    /// The membership of `userID` in `roomID`, e.g. "join", "invite", "leave".
    func membership(of userID: String, in roomID: String) async throws -> String? {
        do {
            let state = try await call("GET", "/_matrix/client/v3/rooms/\(Self.encode(roomID))/state/m.room.member/\(Self.encode(userID))")
            return state["membership"] as? String
        } catch {
            return nil
        }
    }

    /// The latest `limit` events of a room, oldest first.
    func messages(in roomID: String, limit: Int = 200) async throws -> [[String: Any]] {
        let answer = try await call("GET", "/_matrix/client/v3/rooms/\(Self.encode(roomID))/messages?dir=b&limit=\(limit)")
        return ((answer["chunk"] as? [[String: Any]]) ?? []).reversed()
    }

    /// The bot's replies in a room, keyed by the event id they reply to.
    func replies(from bot: String, in roomID: String) async throws -> [String: [[String: Any]]] {
        var out: [String: [[String: Any]]] = [:]
        for event in try await messages(in: roomID) where event["sender"] as? String == bot {
            guard let content = event["content"] as? [String: Any],
                  let relation = content["m.relates_to"] as? [String: Any],
                  let inReplyTo = relation["m.in_reply_to"] as? [String: Any],
                  let target = inReplyTo["event_id"] as? String else { continue }
            out[target, default: []].append(content)
        }
        return out
    }

    /// Waits for the bot's reply to `eventID` and returns its content.
    func awaitReply(from bot: String, to eventID: String, in roomID: String,
                    timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try await waitFor("a reply to \(eventID)", timeout: timeout) {
            try await self.replies(from: bot, in: roomID)[eventID]?.first
        }
    }
}

import Foundation
import Logging
import RingBotHTTP
import Synchronization

/// The Client-Server API calls RingBot needs, over a ``MatrixHTTP``.
/// Holds the current access token (replaced after a new login).
public final class MatrixClient: Sendable {
    private let token: Mutex<String?>
    /// The retrying request layer (and the homeserver's base URL).
    public let http: MatrixHTTP

    public init(http: MatrixHTTP, accessToken: String? = nil) {
        self.http = http
        self.token = Mutex(accessToken)
    }

    /// Sets the access token used by every later call.
    public func setAccessToken(_ accessToken: String?) {
        token.withLock { $0 = accessToken }
    }

    private var accessToken: String? { token.withLock { $0 } }

    private func call(_ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [],
                      body: JSONValue? = nil, timeout: Duration = .seconds(30), purpose: String,
                      requiring requiredKey: String? = nil) async throws -> JSONValue {
        try await http.send(method, path, query: query, body: body, accessToken: accessToken,
                            timeout: timeout, purpose: purpose, requiring: requiredKey)
    }

    /// `POST /login` with `m.login.password`; returns the new session (not stored, not set).
    /// - Parameter deviceID: reuse this device (keeps transaction-id de-duplication across logins).
    public func login(user: String, password: String, deviceID: String?) async throws -> MatrixSession {
        var body: [String: JSONValue] = [
            "type": "m.login.password",
            "identifier": ["type": "m.id.user", "user": .string(user)],
            "password": .string(password),
            "initial_device_display_name": "RingBot",
        ]
        if let deviceID { body["device_id"] = .string(deviceID) }
        let answer = try await http.send(.post, MatrixPath.client("login"), body: .object(body), purpose: "login",
                                         requiring: "access_token")
        guard let token = answer["access_token"]?.stringValue, let userID = answer["user_id"]?.stringValue else {
            throw MatrixError(status: 200, errcode: nil, message: "the login answer has no access_token or user_id",
                              purpose: "login")
        }
        return MatrixSession(userID: userID, deviceID: answer["device_id"]?.stringValue,
                             accessToken: token, homeserver: http.baseURL)
    }

    /// `GET /_matrix/client/versions` (no token): the spec versions the server supports.
    public func versions() async throws -> JSONValue {
        try await http.send(.get, "/_matrix/client/versions", purpose: "check the homeserver (versions)",
                            requiring: "versions")
    }

    /// `PUT /rooms/{roomId}/typing/{userId}`: shows (for `timeout`) or clears the typing notice.
    public func setTyping(_ typing: Bool, roomID: String, userID: String, timeout: Duration) async throws {
        var body: [String: JSONValue] = ["typing": .bool(typing)]
        if typing { body["timeout"] = .int(Int(timeout.components.seconds * 1000)) }
        _ = try await call(.put, MatrixPath.client("rooms", roomID, "typing", userID), body: .object(body),
                           purpose: "show the typing notice")
    }

    /// `GET /account/whoami`: the user and device the token belongs to.
    public func whoami() async throws -> (userID: String, deviceID: String?) {
        let answer = try await call(.get, MatrixPath.client("account", "whoami"), purpose: "check the access token (whoami)",
                                    requiring: "user_id")
        guard let userID = answer["user_id"]?.stringValue else {
            throw MatrixError(status: 200, errcode: nil, message: "whoami has no user_id", purpose: "whoami")
        }
        return (userID, answer["device_id"]?.stringValue)
    }

    /// `GET /profile/{userId}/displayname`, or `nil` when none is set.
    public func displayName(of userID: String) async throws -> String? {
        do {
            let answer = try await call(.get, MatrixPath.client("profile", userID, "displayname"),
                                        purpose: "read the display name")
            return answer["displayname"]?.stringValue
        } catch let error as MatrixError where error.status == 404 {
            return nil
        }
    }

    /// `POST /user/{userId}/filter`; returns the filter id.
    public func uploadFilter(userID: String, filter: JSONValue) async throws -> String {
        let answer = try await call(.post, MatrixPath.client("user", userID, "filter"), body: filter,
                                    purpose: "upload the sync filter", requiring: "filter_id")
        guard let id = answer["filter_id"]?.stringValue else {
            throw MatrixError(status: 200, errcode: nil, message: "no filter_id in the answer", purpose: "upload the sync filter")
        }
        return id
    }

    /// `GET /sync` (never `full_state`). `timeout` is the long-poll wait in milliseconds.
    public func sync(since: String?, filterID: String?, timeout: Int) async throws -> JSONValue {
        var query: [(String, String)] = [("timeout", String(timeout))]
        if let filterID { query.append(("filter", filterID)) }
        if let since { query.append(("since", since)) }
        return try await call(.get, MatrixPath.client("sync"), query: query,
                              timeout: .milliseconds(timeout) + .seconds(30), purpose: "sync",
                              requiring: "next_batch")
    }

    /// `GET /rooms/{roomId}/messages?dir=b`: up to `limit` message events before `from`,
    /// newest first, and the token to continue with (`nil` at the start of the room).
    public func messagesBefore(roomID: String, from: String, limit: Int) async throws -> (events: [JSONValue], end: String?) {
        let filter = String(decoding: JSONValue.object(["types": ["m.room.message"]]).encoded(), as: UTF8.self)
        let answer = try await call(.get, MatrixPath.client("rooms", roomID, "messages"),
                                    query: [("dir", "b"), ("from", from), ("limit", String(limit)), ("filter", filter)],
                                    purpose: "read earlier messages")
        return (answer["chunk"]?.arrayValue ?? [], answer["end"]?.stringValue)
    }

    /// `PUT /rooms/{roomId}/send/{eventType}/{txnId}`; returns the event id.
    /// Sending again with the same `transactionID` (same device) does not duplicate the event.
    @discardableResult
    public func send(roomID: String, eventType: String = "m.room.message", transactionID: String,
                     content: JSONValue) async throws -> String {
        let answer = try await call(.put, MatrixPath.client("rooms", roomID, "send", eventType, transactionID),
                                    body: content, purpose: "send a message", requiring: "event_id")
        return answer["event_id"]?.stringValue ?? ""
    }

    /// `POST /join/{roomIdOrAlias}` (accepts an invite).
    public func join(roomID: String) async throws {
        _ = try await call(.post, MatrixPath.client("join", roomID), body: [:], purpose: "join a room")
    }

    /// `POST /rooms/{roomId}/leave` (declines an invite).
    public func leave(roomID: String) async throws {
        _ = try await call(.post, MatrixPath.client("rooms", roomID, "leave"), body: [:], purpose: "leave a room")
    }

    /// `GET /rooms/{roomId}/joined_members`: the ids of the joined members.
    public func joinedMembers(roomID: String) async throws -> [String] {
        let answer = try await call(.get, MatrixPath.client("rooms", roomID, "joined_members"),
                                    purpose: "list the room's members")
        return answer["joined"]?.objectValue.map { Array($0.keys) } ?? []
    }
}

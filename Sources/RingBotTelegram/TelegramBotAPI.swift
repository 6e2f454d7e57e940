import Foundation
import Logging
import RingBotHTTP

/// Calls Bot API methods over an ``HTTPTransport`` (libcurl in production): `POST BASE/bot<token>/<method>`
/// with a JSON body, decoding the `{"ok", "result"}` envelope and turning failures into ``TelegramAPIError``.
///
/// The token is in every URL: nothing here logs a URL, and every error text is scrubbed of the token.
public struct TelegramBotAPI: Sendable {
    /// The server's base URL without a trailing slash, e.g. `https://api.telegram.org`.
    public let baseURL: String
    let token: TelegramToken
    let transport: any HTTPTransport
    let logger: Logger

    public init(baseURL: String, token: TelegramToken, transport: any HTTPTransport, logger: Logger) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.transport = transport
        self.logger = logger
    }

    /// `getMe`: the bot's own user.
    public func getMe() async throws(TelegramAPIError) -> TelegramUser {
        try await call("getMe", NoParameters(), timeout: .seconds(30))
    }

    /// `getUpdates` from `offset`, waiting up to `timeout` seconds; only `message` updates.
    public func getUpdates(offset: Int64?, timeout: Int, limit: Int? = nil) async throws(TelegramAPIError) -> [TelegramUpdate] {
        let request = GetUpdatesRequest(offset: offset, timeout: max(0, timeout), limit: limit, allowedUpdates: ["message"])
        return try await call("getUpdates", request, timeout: .seconds(max(0, timeout) + 15))
    }

    /// `sendMessage` with HTML parse mode, link previews off, replying to `replyTo` (sent even if it is gone).
    public func sendMessage(chatID: Int64, threadID: Int64?, html: String, replyTo: Int64?) async throws(TelegramAPIError) -> TelegramMessage {
        let request = SendMessageRequest(
            chatID: chatID, messageThreadID: threadID, text: html, parseMode: "HTML",
            replyParameters: replyTo.map { ReplyParameters(messageID: $0, allowSendingWithoutReply: true) },
            linkPreviewOptions: LinkPreviewOptions(isDisabled: true))
        return try await call("sendMessage", request, timeout: .seconds(30))
    }

    /// `sendChatAction` `typing`.
    public func sendTyping(chatID: Int64, threadID: Int64?) async throws(TelegramAPIError) {
        let _: Bool = try await call("sendChatAction", SendChatActionRequest(chatID: chatID, messageThreadID: threadID, action: "typing"),
                                     timeout: .seconds(15))
    }

    func call<Body: Encodable, Result: Decodable>(_ method: String, _ body: Body, timeout: Duration) async throws(TelegramAPIError) -> Result {
        let request: HTTPRequest
        do {
            request = HTTPRequest(method: .post, url: "\(baseURL)/bot\(token.secret)/\(method)",
                                  headers: [("Content-Type", "application/json")],
                                  body: Array(try JSONEncoder().encode(body)), timeout: timeout)
        } catch {
            throw .refused(status: 0, description: "cannot encode the \(method) request: \(error)")
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as HTTPError {
            throw .network(token.scrub(error.description), transient: Self.isTransient(error))
        } catch is CancellationError {
            throw .network("cancelled", transient: true)
        } catch {
            throw .network(token.scrub("\(error)"), transient: true)
        }
        logger.trace("Bot API call", metadata: ["method": "\(method)", "status": "\(response.status)"])
        return try decode(method, response)
    }

    /// Whether a retry may help. A TLS handshake cut by the network (a reset while a server restarts)
    /// is transient; a certificate that does not verify is not.
    static func isTransient(_ error: HTTPError) -> Bool {
        if error.isTransient { return true }
        guard error == .tls, let detail = error.detail?.lowercased() else { return false }
        let cutShort = ["connection reset", "send failure", "recv failure", "ssl_error_syscall", "unexpected eof",
                        "connection was reset", "broken pipe"]
        return cutShort.contains { detail.contains($0) }
    }

    private func decode<Result: Decodable>(_ method: String, _ response: HTTPResponse) throws(TelegramAPIError) -> Result {
        let envelope = try? JSONDecoder().decode(TelegramEnvelope<Result>.self, from: Data(response.body))
        if let envelope, envelope.ok, let result = envelope.result, (200..<300).contains(response.status) {
            return result
        }
        let status = envelope?.errorCode ?? response.status
        let description = token.scrub(envelope?.description ?? "")
        switch status {
        case 401: throw .unauthorized
        case 404: throw .notFound
        case 409: throw .conflict(description)
        case 429:
            let seconds = envelope?.parameters?.retryAfter ?? response.retryAfter.map { Int($0.components.seconds) } ?? 1
            throw .tooManyRequests(retryAfter: .seconds(max(1, seconds)))
        default: break
        }
        if let chat = envelope?.parameters?.migrateToChatID { throw .migrated(toChatID: chat) }
        if envelope == nil || status >= 500 || status < 400 {
            let detail = envelope == nil ? "the answer to \(method) is not the Bot API's JSON" : description
            throw .server(status: response.status, detail: detail)
        }
        throw .refused(status: status, description: description)
    }
}

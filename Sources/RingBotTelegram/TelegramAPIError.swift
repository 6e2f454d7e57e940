/// Why a Bot API call failed, sorted by what the bot can do about it.
/// Descriptions never contain the token (see ``TelegramToken/scrub(_:)``).
public enum TelegramAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: the token is wrong or was revoked.
    case unauthorized
    /// 404 on a method: not a Bot API server at this address, or a malformed token.
    case notFound
    /// 409: another `getUpdates` poller, or a webhook is set. The server's description.
    case conflict(String)
    /// 429: wait this long before repeating the request.
    case tooManyRequests(retryAfter: Duration)
    /// 400 with `migrate_to_chat_id`: the group became a supergroup with this id.
    case migrated(toChatID: Int64)
    /// Another 4xx: this request cannot succeed as it is. The server's description.
    case refused(status: Int, description: String)
    /// 5xx, or an answer that is not the Bot API's JSON.
    case server(status: Int, detail: String)
    /// The exchange failed (connect, TLS, timeout...). `transient` says whether a retry may help.
    case network(String, transient: Bool)

    public var description: String {
        switch self {
        case .unauthorized:
            "the Bot API refused the token (401 Unauthorized): it is wrong or was revoked; set RINGBOT_TELEGRAM_TOKEN to the bot's current token from @BotFather"
        case .notFound:
            "the Bot API answered 404 Not Found: check RINGBOT_TELEGRAM_API (the base URL, e.g. https://api.telegram.org) and that RINGBOT_TELEGRAM_TOKEN is a whole bot token"
        case .conflict(let description):
            "the Bot API refused getUpdates (409 \(description)): stop the other program polling with this bot token, or delete its webhook (deleteWebhook), then start ringbot again"
        case .tooManyRequests(let wait):
            "the Bot API asked to slow down (429); retrying after \(wait)"
        case .migrated(let id):
            "the group became the supergroup \(id)"
        case .refused(let status, let description):
            "the Bot API refused the request (\(status) \(description))"
        case .server(let status, let detail):
            "the Bot API server failed (\(status == 0 ? "" : "HTTP \(status): ")\(detail)); retrying"
        case .network(let detail, _):
            detail
        }
    }
}

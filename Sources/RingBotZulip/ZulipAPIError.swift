import Foundation
import RingBotHTTP

/// An error answer of a Zulip server: `{"result": "error", "msg": ..., "code": ...}` with its
/// HTTP status, or a 2xx answer that is not usable. ``description`` never holds the API key.
public struct ZulipAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// Zulip's machine-readable code, e.g. `BAD_EVENT_QUEUE_ID`, `RATE_LIMIT_HIT`, `INVALID_API_KEY`.
    public var code: String?
    /// Zulip's human-readable message.
    public var message: String
    /// What the request was for, e.g. "poll the event queue".
    public var purpose: String
    /// For `RATE_LIMIT_HIT`: the body's `retry-after`, else the `Retry-After` header (both may be fractional).
    public var retryAfter: Duration?

    public init(status: Int, code: String?, message: String, purpose: String, retryAfter: Duration? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.purpose = purpose
        self.retryAfter = retryAfter
    }

    /// The event queue is gone (garbage-collected while nobody polled it, or the server lost it).
    public var isBadEventQueue: Bool { code == "BAD_EVENT_QUEUE_ID" }

    /// The server refused the bot's email or API key.
    public var isUnauthorized: Bool { status == 401 || code == "INVALID_API_KEY" || code == "USER_DEACTIVATED" }

    /// The server asked the bot to slow down.
    public var isRateLimited: Bool { status == 429 || code == "RATE_LIMIT_HIT" }

    /// A server failure worth retrying: 5xx, a rate limit, or an unusable 2xx answer.
    public var isTransient: Bool { status >= 500 || isRateLimited || (200..<300).contains(status) }

    public var description: String {
        let what = code.map { "\(status) \($0)" } ?? "\(status)"
        let text = message.isEmpty ? "" : ": \(message)"
        return "the Zulip server answered \(what) to \(purpose)\(text)"
    }
}

/// Reads Zulip's `Retry-After`: the real server sends fractional seconds (`28.706807374954224`),
/// which the HTTP-date/delta-seconds parser of ``RetryAfter`` does not accept.
enum ZulipRetryAfter {
    static func parse(body: Any?, header: String?) -> Duration? {
        if let seconds = body as? Double, seconds.isFinite, seconds >= 0 { return milliseconds(seconds) }
        if let seconds = body as? Int, seconds >= 0 { return .seconds(seconds) }
        if let header {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return milliseconds(seconds) }
            return RetryAfter.parse(trimmed)
        }
        return nil
    }

    private static func milliseconds(_ seconds: Double) -> Duration {
        .milliseconds(Int64((min(seconds, 86_400) * 1000).rounded(.up)))
    }
}

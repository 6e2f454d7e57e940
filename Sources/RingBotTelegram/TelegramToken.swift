/// The bot token (`123456789:AA...` from @BotFather). It is part of every method URL, so it is kept
/// out of every description: `"\(token)"` prints a placeholder, and ``scrub(_:)`` removes it from any
/// text (e.g. a transport error quoting the URL) before that text is logged.
public struct TelegramToken: Sendable, Equatable, CustomStringConvertible {
    /// The secret itself; use only to build a request URL.
    public let secret: String

    /// Accepts `digits:characters` (letters, digits, `_`, `-`), the form @BotFather issues.
    public init?(_ secret: String) {
        let parts = secret.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
              !parts[1].isEmpty,
              parts[1].unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        else { return nil }
        self.secret = secret
    }

    /// The bot's numeric id, the part before the colon (not a secret).
    public var botID: String { String(secret.prefix { $0 != ":" }) }

    public var description: String { "<bot token>" }

    /// `text` with every occurrence of the token (raw or percent-encoded) replaced by a placeholder.
    public func scrub(_ text: String) -> String {
        var out = text.replacingOccurrences(of: secret, with: "<bot token>")
        out = out.replacingOccurrences(of: secret.replacingOccurrences(of: ":", with: "%3A"), with: "<bot token>")
        return out
    }
}

/// A failure of a ``ChatPlatform`` call, saying what the runtime should do about it.
/// ``description`` is one line for the operator: what happened and what to do.
/// Never put secrets (tokens, passwords, API keys) in it.
public struct ChatPlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the runtime reacts.
    public enum Kind: Sendable, Equatable {
        /// Worth retrying: the network is down, the server answered 5xx or asked to slow down.
        /// The runtime retries with back-off (waiting at least `retryAfter` when given), logging
        /// once when the connection is lost and once when it is back. On a first start (no
        /// saved cursor) it gives up after a few tries with one `error:` line and exit 1,
        /// since nothing shows the settings were ever right.
        case transient(retryAfter: Duration?)
        /// Retrying cannot help (wrong credentials, not a server of this platform, a TLS
        /// failure, an unsupported server): the bot stops with ``description`` as its
        /// `error:` line and exit status 1.
        case permanent
        /// Only this one reply cannot be delivered (the bot was removed from the chat, the
        /// message was refused): logged, the message counted as handled, the bot goes on.
        case rejected
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// A transient failure with no server-given wait.
    public static func transient(_ description: String) -> ChatPlatformError {
        ChatPlatformError(.transient(retryAfter: nil), description)
    }

    /// A failure that stops the bot.
    public static func permanent(_ description: String) -> ChatPlatformError {
        ChatPlatformError(.permanent, description)
    }

    /// A reply that can never be delivered.
    public static func rejected(_ description: String) -> ChatPlatformError {
        ChatPlatformError(.rejected, description)
    }

    public var isTransient: Bool {
        if case .transient = kind { return true }
        return false
    }
}

/// Identifies one conversation: one user in one room (or channel, or chat) of one bot
/// account on one chat platform. The bot keeps a separate ``RingBotCore/ConversationState``
/// per key; platform and account are part of it so several bots can share one state folder.
public struct ConversationKey: Sendable, Hashable, CustomStringConvertible {
    /// The platform's name (``ChatPlatform/platformName``), e.g. `matrix`.
    public var platform: String
    /// The bot's account on the platform (what ``ChatPlatform/connect()`` returned).
    public var account: String
    /// The room, channel or chat id.
    public var room: String
    /// The user's id on the platform.
    public var user: String

    public init(platform: String, account: String, room: String, user: String) {
        self.platform = platform
        self.account = account
        self.room = room
        self.user = user
    }

    /// A key with no platform or account (the local chat, tests).
    public init(room: String, user: String) {
        self.init(platform: "", account: "", room: room, user: user)
    }

    public var description: String { "\(user) in \(room)" }
}

/// One bot account on one platform: the scope of cursors, handled ids and the outbox.
public struct AccountKey: Sendable, Hashable, CustomStringConvertible {
    public var platform: String
    public var account: String

    public init(platform: String, account: String) {
        self.platform = platform
        self.account = account
    }

    /// The conversation of `user` in `room` on this account.
    public func conversation(room: String, user: String) -> ConversationKey {
        ConversationKey(platform: platform, account: account, room: room, user: user)
    }

    public var description: String { "\(account) on \(platform)" }
}

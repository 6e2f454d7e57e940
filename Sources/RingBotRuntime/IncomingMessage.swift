import Foundation

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

/// A user's message as the runtime sees it, after the connector has decided it is
/// meant for the bot and has removed platform decoration (reply quotes, mentions).
public struct IncomingMessage: Sendable, Equatable {
    /// Whose conversation this message continues.
    public var conversation: ConversationKey
    /// The cleaned text to answer.
    public var text: String
    /// The platform's id of this message (a Matrix event id), used to remember it was handled.
    public var messageID: String
    /// When the platform says the message was sent.
    public var sentAt: Date

    public init(conversation: ConversationKey, text: String, messageID: String, sentAt: Date) {
        self.conversation = conversation
        self.text = text
        self.messageID = messageID
        self.sentAt = sentAt
    }

    /// The sender's id (the conversation's user).
    public var sender: String { conversation.user }
}

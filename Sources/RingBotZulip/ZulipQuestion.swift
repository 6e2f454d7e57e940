import Foundation

/// How a message reached the bot, by Zulip's rules.
public enum ZulipAddressing: Sendable, Equatable {
    /// A direct message (one-to-one or a group): every message is for the bot.
    case direct
    /// A channel message mentioning the bot (`@**RingBot**`); the mention is removed from the text.
    case mentioned
    /// A channel message that does not mention the bot: answered only as a follow-up in a topic
    /// where the bot already replied to this user.
    case unaddressed
}

/// Everything needed to reply to one message: where, to whom, and what to quote.
public struct ZulipReplyTarget: Sendable, Equatable {
    /// The question's message id (quoted in the reply's link, so a reply can be found again).
    public var messageID: Int
    /// Where the reply goes: the same channel topic, or the same direct conversation.
    public var destination: ZulipDestination
    /// The asker's user id and name, for the quote's silent mention.
    public var askerID: Int
    public var askerName: String
    /// The channel's name, for the quote's link (`nil` for a direct message).
    public var streamName: String?
    /// The question as the bot read it (without the bot's mention and earlier quotes), quoted in the reply.
    public var quotedText: String

    public init(messageID: Int, destination: ZulipDestination, askerID: Int, askerName: String,
                streamName: String?, quotedText: String) {
        self.messageID = messageID
        self.destination = destination
        self.askerID = askerID
        self.askerName = askerName
        self.streamName = streamName
        self.quotedText = quotedText
    }
}

/// A message for the bot (or maybe for it: ``ZulipAddressing/unaddressed``), cleaned.
public struct ZulipQuestion: Sendable, Equatable {
    /// The message id, as a string.
    public var id: String
    /// `stream:<id>` or `dm:<user ids other than the bot, ascending>`.
    public var room: String
    /// The sender's user id, as a string.
    public var sender: String
    /// For a channel message: its topic, lower-cased (Zulip's topics ignore case).
    public var thread: String?
    /// The text to answer, without quotes of earlier messages and without the bot's mention.
    public var text: String
    public var sentAt: Date
    public var addressing: ZulipAddressing
    public var target: ZulipReplyTarget
}

/// What the Telegram adapter needs to answer one message: where it was written and its id.
public struct TelegramTarget: Sendable, Equatable {
    /// The chat the message was written in (as the server said then; a later migration is followed at send time).
    public var chatID: Int64
    /// The message's id in that chat (the reply's `reply_parameters.message_id`).
    public var messageID: Int64
    /// The forum topic, if the message was written in one: the reply goes to the same topic.
    public var topicID: Int64?

    public init(chatID: Int64, messageID: Int64, topicID: Int64?) {
        self.chatID = chatID
        self.messageID = messageID
        self.topicID = topicID
    }
}

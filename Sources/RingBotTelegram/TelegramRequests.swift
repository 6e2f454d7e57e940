/// Request bodies of the Bot API methods the bot calls, sent as JSON (`application/json`).
/// Field names and types follow core.telegram.org/bots/api; optional fields left `nil` are omitted.

/// `getUpdates`.
struct GetUpdatesRequest: Encodable, Equatable {
    var offset: Int64?
    var timeout: Int
    var limit: Int?
    var allowedUpdates: [String]

    enum CodingKeys: String, CodingKey {
        case offset, timeout, limit
        case allowedUpdates = "allowed_updates"
    }
}

/// `ReplyParameters`.
struct ReplyParameters: Encodable, Equatable {
    var messageID: Int64
    /// Send even if the replied message is gone (deleted, or left behind by a group migration).
    var allowSendingWithoutReply: Bool

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case allowSendingWithoutReply = "allow_sending_without_reply"
    }
}

/// `LinkPreviewOptions`.
struct LinkPreviewOptions: Encodable, Equatable {
    var isDisabled: Bool

    enum CodingKeys: String, CodingKey {
        case isDisabled = "is_disabled"
    }
}

/// `sendMessage`.
struct SendMessageRequest: Encodable, Equatable {
    var chatID: Int64
    var messageThreadID: Int64?
    var text: String
    var parseMode: String
    var replyParameters: ReplyParameters?
    var linkPreviewOptions: LinkPreviewOptions

    enum CodingKeys: String, CodingKey {
        case text
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
        case parseMode = "parse_mode"
        case replyParameters = "reply_parameters"
        case linkPreviewOptions = "link_preview_options"
    }
}

/// `sendChatAction`.
struct SendChatActionRequest: Encodable, Equatable {
    var chatID: Int64
    var messageThreadID: Int64?
    var action: String

    enum CodingKeys: String, CodingKey {
        case action
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
    }
}

/// A method without parameters (`getMe`).
struct NoParameters: Encodable, Equatable {}

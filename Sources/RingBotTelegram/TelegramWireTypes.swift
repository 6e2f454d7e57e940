/// The parts of the Bot API's objects (core.telegram.org/bots/api#available-types) the bot reads.
/// Unknown fields are ignored, so new server versions decode fine.

/// The envelope of every Bot API answer: `{"ok": true, "result": ...}` or
/// `{"ok": false, "error_code": 429, "description": "...", "parameters": {...}}`.
struct TelegramEnvelope<Result: Decodable>: Decodable {
    var ok: Bool
    var result: Result?
    var errorCode: Int?
    var description: String?
    var parameters: TelegramResponseParameters?

    enum CodingKeys: String, CodingKey {
        case ok, result, description, parameters
        case errorCode = "error_code"
    }
}

/// `ResponseParameters`: why a request failed and what to do.
struct TelegramResponseParameters: Decodable, Equatable {
    /// The group became a supergroup with this id.
    var migrateToChatID: Int64?
    /// Seconds to wait before repeating the request (429 Too Many Requests).
    var retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case migrateToChatID = "migrate_to_chat_id"
        case retryAfter = "retry_after"
    }
}

/// `User` (the bot itself from `getMe`, or a message's sender).
public struct TelegramUser: Codable, Sendable, Equatable {
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var username: String?

    enum CodingKeys: String, CodingKey {
        case id, username
        case isBot = "is_bot"
        case firstName = "first_name"
    }

    public init(id: Int64, isBot: Bool, firstName: String, username: String?) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.username = username
    }
}

/// `Chat`: only what addressing needs.
public struct TelegramChat: Codable, Sendable, Equatable {
    public var id: Int64
    /// `private`, `group`, `supergroup` or `channel`.
    public var type: String
    public var isForum: Bool?

    enum CodingKeys: String, CodingKey {
        case id, type
        case isForum = "is_forum"
    }

    public init(id: Int64, type: String, isForum: Bool? = nil) {
        self.id = id
        self.type = type
        self.isForum = isForum
    }

    public var isPrivate: Bool { type == "private" }
}

/// `MessageEntity`: offsets and lengths count UTF-16 code units.
public struct TelegramEntity: Codable, Sendable, Equatable {
    /// `bot_command`, `mention`, `text_mention`, ...
    public var type: String
    public var offset: Int
    public var length: Int
    /// For `text_mention`: the user mentioned without a username.
    public var user: TelegramUser?

    public init(type: String, offset: Int, length: Int, user: TelegramUser? = nil) {
        self.type = type
        self.offset = offset
        self.length = length
        self.user = user
    }
}

/// The message a message replies to (one level only; its own reply is not decoded).
public struct TelegramRepliedMessage: Codable, Sendable, Equatable {
    public var messageID: Int64
    public var from: TelegramUser?

    enum CodingKeys: String, CodingKey {
        case from
        case messageID = "message_id"
    }

    public init(messageID: Int64, from: TelegramUser?) {
        self.messageID = messageID
        self.from = from
    }
}

/// `Message`: a user's text or a service message.
public struct TelegramMessage: Codable, Sendable, Equatable {
    /// Unique within its chat only.
    public var messageID: Int64
    /// The forum topic (or, in supergroups, the thread) the message belongs to.
    public var messageThreadID: Int64?
    public var isTopicMessage: Bool?
    public var from: TelegramUser?
    /// Unix time.
    public var date: Int64
    public var chat: TelegramChat
    public var text: String?
    public var entities: [TelegramEntity]?
    public var replyToMessage: TelegramRepliedMessage?
    /// Service message: this group became the supergroup with this id.
    public var migrateToChatID: Int64?
    /// Service message: this supergroup was the group with this id.
    public var migrateFromChatID: Int64?

    enum CodingKeys: String, CodingKey {
        case from, date, chat, text, entities
        case messageID = "message_id"
        case messageThreadID = "message_thread_id"
        case isTopicMessage = "is_topic_message"
        case replyToMessage = "reply_to_message"
        case migrateToChatID = "migrate_to_chat_id"
        case migrateFromChatID = "migrate_from_chat_id"
    }

    public init(messageID: Int64, messageThreadID: Int64? = nil, isTopicMessage: Bool? = nil, from: TelegramUser?,
                date: Int64, chat: TelegramChat, text: String?, entities: [TelegramEntity]? = nil,
                replyToMessage: TelegramRepliedMessage? = nil, migrateToChatID: Int64? = nil,
                migrateFromChatID: Int64? = nil) {
        self.messageID = messageID
        self.messageThreadID = messageThreadID
        self.isTopicMessage = isTopicMessage
        self.from = from
        self.date = date
        self.chat = chat
        self.text = text
        self.entities = entities
        self.replyToMessage = replyToMessage
        self.migrateToChatID = migrateToChatID
        self.migrateFromChatID = migrateFromChatID
    }
}

/// `Update`: the bot asks only for `message` updates (`allowed_updates`), so the rest is not decoded.
public struct TelegramUpdate: Codable, Sendable, Equatable {
    public var updateID: Int64
    public var message: TelegramMessage?

    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
    }

    public init(updateID: Int64, message: TelegramMessage?) {
        self.updateID = updateID
        self.message = message
    }
}

import Foundation

/// A message as Zulip's API shows it (in a `message` event or a `GET /messages` page), with
/// the fields the bot uses. The bot registers with `apply_markdown=false`, so ``content`` is
/// the sender's raw Markdown.
public struct ZulipMessage: Sendable, Equatable, Decodable {
    /// Who else is in a direct message (every participant, the sender and the bot included).
    public struct Participant: Sendable, Equatable, Decodable {
        public var id: Int
        public var email: String
        public var fullName: String

        enum CodingKeys: String, CodingKey {
            case id, email
            case fullName = "full_name"
        }

        public init(id: Int, email: String, fullName: String) {
            self.id = id
            self.email = email
            self.fullName = fullName
        }
    }

    /// Where a message was sent.
    public enum Recipient: Sendable, Equatable {
        /// A channel (stream) message: the channel's id and name, and the topic.
        case stream(id: Int, name: String, topic: String)
        /// A direct message between these participants.
        case direct([Participant])
    }

    public var id: Int
    public var senderID: Int
    public var senderEmail: String
    public var senderFullName: String
    public var content: String
    /// Seconds since 1970, as the server says.
    public var timestamp: Int
    public var recipient: Recipient
    /// The user's flags for it (`mentioned`, `read`...); present in `GET /messages` answers.
    public var flags: [String]?

    public init(id: Int, senderID: Int, senderEmail: String, senderFullName: String, content: String,
                timestamp: Int, recipient: Recipient, flags: [String]? = nil) {
        self.id = id
        self.senderID = senderID
        self.senderEmail = senderEmail
        self.senderFullName = senderFullName
        self.content = content
        self.timestamp = timestamp
        self.recipient = recipient
        self.flags = flags
    }

    enum CodingKeys: String, CodingKey {
        case id, content, timestamp, type, subject, topic, flags
        case senderID = "sender_id", senderEmail = "sender_email", senderFullName = "sender_full_name"
        case streamID = "stream_id", displayRecipient = "display_recipient"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        senderID = try c.decode(Int.self, forKey: .senderID)
        senderEmail = try c.decode(String.self, forKey: .senderEmail)
        senderFullName = try c.decodeIfPresent(String.self, forKey: .senderFullName) ?? senderEmail
        content = try c.decode(String.self, forKey: .content)
        timestamp = try c.decode(Int.self, forKey: .timestamp)
        flags = try c.decodeIfPresent([String].self, forKey: .flags)
        let type = try c.decode(String.self, forKey: .type)
        if type == "stream" || type == "channel" {
            let topic = try c.decodeIfPresent(String.self, forKey: .subject)
                ?? c.decodeIfPresent(String.self, forKey: .topic) ?? ""
            recipient = .stream(id: try c.decode(Int.self, forKey: .streamID),
                                name: try c.decode(String.self, forKey: .displayRecipient), topic: topic)
        } else {
            recipient = .direct(try c.decode([Participant].self, forKey: .displayRecipient))
        }
    }

    /// When it was sent.
    public var sentAt: Date { Date(timeIntervalSince1970: TimeInterval(timestamp)) }
}

/// One event of an event queue. Only `message` events carry a message; `heartbeat` and any
/// other type only move the queue position.
public struct ZulipEvent: Sendable, Equatable, Decodable {
    public var id: Int
    public var type: String
    public var message: ZulipMessage?
    public var flags: [String]

    public init(id: Int, type: String, message: ZulipMessage? = nil, flags: [String] = []) {
        self.id = id
        self.type = type
        self.message = message
        self.flags = flags
    }

    enum CodingKeys: String, CodingKey { case id, type, message, flags }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        type = try c.decode(String.self, forKey: .type)
        message = type == "message" ? try c.decode(ZulipMessage.self, forKey: .message) : nil
        flags = try c.decodeIfPresent([String].self, forKey: .flags) ?? []
    }
}

/// A newly registered event queue (`POST /register`).
public struct ZulipQueue: Sendable, Equatable {
    public var id: String
    public var lastEventID: Int
    /// The newest message the bot could see when the queue was made; later ones arrive as events.
    public var maxMessageID: Int
    /// How long a `GET /events` may take before the client gives up (server-given; 90 s by default).
    public var longPollTimeout: Duration
    /// Parameters the server did not know (an older server ignores `idle_queue_timeout`).
    public var ignoredParameters: [String]

    public init(id: String, lastEventID: Int, maxMessageID: Int, longPollTimeout: Duration = .seconds(90),
                ignoredParameters: [String] = []) {
        self.id = id
        self.lastEventID = lastEventID
        self.maxMessageID = maxMessageID
        self.longPollTimeout = longPollTimeout
        self.ignoredParameters = ignoredParameters
    }
}

/// The bot's own account (`GET /users/me`).
public struct ZulipIdentity: Sendable, Equatable {
    public var userID: Int
    public var email: String
    public var fullName: String

    public init(userID: Int, email: String, fullName: String) {
        self.userID = userID
        self.email = email
        self.fullName = fullName
    }
}

/// One page of `GET /messages`.
public struct ZulipMessagePage: Sendable, Equatable {
    public var messages: [ZulipMessage]
    /// No later message matches the narrow.
    public var foundNewest: Bool

    public init(messages: [ZulipMessage], foundNewest: Bool) {
        self.messages = messages
        self.foundNewest = foundNewest
    }
}

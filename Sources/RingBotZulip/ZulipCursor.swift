import Foundation

/// The bot's place in Zulip: its event queue, the last event acknowledged there, and the newest
/// message id already seen (answered, or decided not to be for the bot). Saved by the runtime as
/// an opaque string once every message before it was handled.
///
/// Zulip's message ids only grow, so ``lastMessageID`` is also where the bot reads on with
/// `GET /messages` when the queue is gone (`BAD_EVENT_QUEUE_ID`): nothing said meanwhile is lost.
public struct ZulipCursor: Sendable, Equatable, Codable {
    /// The event queue, or `nil` when none is registered yet.
    public var queueID: String?
    /// The last event of the queue whose messages were handled (`-1`: none yet).
    public var lastEventID: Int
    /// The newest message id handled (`-1`: none).
    public var lastMessageID: Int

    public init(queueID: String?, lastEventID: Int, lastMessageID: Int) {
        self.queueID = queueID
        self.lastEventID = lastEventID
        self.lastMessageID = lastMessageID
    }

    enum CodingKeys: String, CodingKey {
        case queueID = "queue"
        case lastEventID = "event"
        case lastMessageID = "message"
    }

    /// The cursor as the runtime stores it (compact JSON).
    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// A stored cursor, or `nil` when the text is not one (then the bot starts afresh).
    public init?(encoded: String) {
        guard let value = try? JSONDecoder().decode(ZulipCursor.self, from: Data(encoded.utf8)) else { return nil }
        self = value
    }
}

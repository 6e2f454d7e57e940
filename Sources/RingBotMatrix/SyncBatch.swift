import Foundation
import Logging

/// One room event, read leniently from a sync answer.
public struct RoomEvent: Sendable, Equatable {
    public var eventID: String
    public var type: String
    public var sender: String
    /// `origin_server_ts`, if present.
    public var sentAt: Date?
    /// The event's content (an object; empty for redacted events).
    public var content: JSONValue
    /// The state key of a state event, `nil` for other events.
    public var stateKey: String?
    /// Whether the server says the event was redacted.
    public var isRedacted: Bool

    public init(eventID: String, type: String, sender: String, sentAt: Date? = nil, content: JSONValue,
                stateKey: String? = nil, isRedacted: Bool = false) {
        self.eventID = eventID
        self.type = type
        self.sender = sender
        self.sentAt = sentAt
        self.content = content
        self.stateKey = stateKey
        self.isRedacted = isRedacted
    }

    /// Reads one event; `nil` when it lacks an id, type, sender or object content.
    public init?(json: JSONValue) {
        guard let eventID = json["event_id"]?.stringValue, let type = json["type"]?.stringValue,
              let sender = json["sender"]?.stringValue, let content = json["content"], content.objectValue != nil
        else { return nil }
        self.eventID = eventID
        self.type = type
        self.sender = sender
        self.sentAt = json["origin_server_ts"]?.doubleValue.map { Date(timeIntervalSince1970: $0 / 1000) }
        self.content = content
        self.stateKey = json["state_key"]?.stringValue
        self.isRedacted = json["unsigned"]?["redacted_because"] != nil
    }
}

/// A room the bot is invited to.
public struct RoomInvite: Sendable, Equatable {
    public var roomID: String
    /// Who sent the invite, when the invite state says so.
    public var inviter: String?
}

/// What changed in one joined room.
public struct JoinedRoomUpdate: Sendable, Equatable {
    public var roomID: String
    /// State events (before the timeline), then timeline events, in order.
    public var stateEvents: [RoomEvent]
    public var timeline: [RoomEvent]
    /// `summary.m.joined_member_count`, when the server sent it.
    public var joinedMemberCount: Int?
    /// Whether the timeline was cut (more events happened than were sent).
    public var timelineLimited: Bool
    /// Where to page backwards (`/messages?dir=b&from=`) to fill a cut timeline.
    public var previousBatch: String? = nil

    /// Whether any state or timeline event changes membership.
    public var membershipChanged: Bool {
        (stateEvents + timeline).contains { $0.type == "m.room.member" }
    }

    /// Whether the room has (just got) an `m.room.encryption` state event.
    public var announcesEncryption: Bool {
        (stateEvents + timeline).contains { $0.type == "m.room.encryption" && $0.stateKey != nil }
    }
}

/// The parts of a `/sync` answer the bot uses. Each event is read on its own:
/// a malformed one is counted in ``skippedEvents`` and logged, never fatal.
public struct SyncBatch: Sendable, Equatable {
    public var nextBatch: String
    public var invites: [RoomInvite]
    public var joined: [JoinedRoomUpdate]
    /// Events that could not be read.
    public var skippedEvents: Int

    /// Reads a sync answer for `userID`.
    /// - Throws: ``MatrixError`` when there is no `next_batch` (nothing can be trusted then).
    public init(json: JSONValue, userID: String, logger: Logger) throws {
        guard let nextBatch = json["next_batch"]?.stringValue else {
            throw MatrixError(status: 200, errcode: nil, message: "the sync answer has no next_batch", purpose: "sync")
        }
        self.nextBatch = nextBatch
        var skipped = 0
        func events(_ value: JSONValue?, room: String) -> [RoomEvent] {
            guard let list = value?.arrayValue else { return [] }
            return list.compactMap { item in
                if let event = RoomEvent(json: item) { return event }
                skipped += 1
                logger.warning("skipping a malformed event", metadata: [
                    "room": "\(room)", "event_id": "\(item["event_id"]?.stringValue ?? "?")",
                ])
                return nil
            }
        }
        var invites: [RoomInvite] = []
        for (roomID, room) in (json["rooms"]?["invite"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let state = room["invite_state"]?["events"]?.arrayValue ?? []
            let own = state.first {
                $0["type"]?.stringValue == "m.room.member" && $0["state_key"]?.stringValue == userID
                    && $0["content"]?["membership"]?.stringValue == "invite"
            }
            invites.append(RoomInvite(roomID: roomID, inviter: own?["sender"]?.stringValue))
        }
        var joined: [JoinedRoomUpdate] = []
        for (roomID, room) in (json["rooms"]?["join"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            joined.append(JoinedRoomUpdate(
                roomID: roomID,
                stateEvents: events(room["state"]?["events"], room: roomID),
                timeline: events(room["timeline"]?["events"], room: roomID),
                joinedMemberCount: room["summary"]?["m.joined_member_count"]?.intValue,
                timelineLimited: room["timeline"]?["limited"]?.boolValue ?? false,
                previousBatch: room["timeline"]?["prev_batch"]?.stringValue))
        }
        self.invites = invites
        self.joined = joined
        self.skippedEvents = skipped
    }
}

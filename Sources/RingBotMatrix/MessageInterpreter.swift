import Foundation

/// A user's message the bot should (maybe) answer, with the text cleaned of reply
/// quotes and of the bot's mention or prefix.
public struct Question: Sendable, Equatable {
    public var eventID: String
    public var roomID: String
    public var sender: String
    public var text: String
    /// The thread root when the question was asked in a thread.
    public var threadRoot: String?
    public var sentAt: Date?
}

/// How the bot treats a room.
public enum RoomKind: Sendable, Equatable {
    /// Exactly two joined members: every message is for the bot.
    case direct
    /// A larger room: only messages addressed to the bot.
    case group
    /// A configured support room: addressed messages, and others the bot is confident about.
    case support
}

/// What to do with one timeline event.
public enum Interpretation: Sendable, Equatable {
    case ignore(reason: String)
    case answer(Question)
    /// Answer only if the matcher's confidence reaches the answer threshold.
    case answerIfConfident(Question)
    /// Not addressed, in a thread: answer only if the bot already replied in that thread.
    case followUpOnly(Question)
}

/// Decides which timeline events are questions for the bot. Ignores anything
/// that is not a text message, the bot's own messages, every `m.notice` (bots
/// talking to bots), edits, redacted events and, when `notBefore` is set, events
/// sent before it.
public struct MessageInterpreter: Sendable {
    public var detector: MentionDetector
    /// When set, messages sent before it are ignored (used for the first sync only).
    public var notBefore: Date?

    public init(detector: MentionDetector, notBefore: Date? = nil) {
        self.detector = detector
        self.notBefore = notBefore
    }

    /// What to do with `event` of `roomID`, a room of `kind`.
    public func interpret(_ event: RoomEvent, roomID: String, kind: RoomKind) -> Interpretation {
        guard event.type == "m.room.message" else { return .ignore(reason: "not a message") }
        guard event.sender != detector.userID else { return .ignore(reason: "own message") }
        guard !event.isRedacted else { return .ignore(reason: "redacted") }
        let content = event.content
        guard let msgtype = content["msgtype"]?.stringValue else { return .ignore(reason: "no msgtype") }
        guard msgtype == "m.text" else { return .ignore(reason: "msgtype \(msgtype)") }
        let relation = content["m.relates_to"]
        if relation?["rel_type"]?.stringValue == "m.replace" || content["m.new_content"] != nil {
            return .ignore(reason: "edit")
        }
        if let notBefore, let sentAt = event.sentAt, sentAt < notBefore {
            return .ignore(reason: "older than the bot's start")
        }
        guard let body = content["body"]?.stringValue else { return .ignore(reason: "malformed: no body") }
        let text = ReplyFallback.stripPlain(body).trimmingCharacters(in: .whitespacesAndNewlines)
        let repliesToBot = ReplyFallback.quotedSender(body) == detector.userID
        let threadRoot = relation?["rel_type"]?.stringValue == "m.thread" ? relation?["event_id"]?.stringValue : nil
        func question(_ text: String) -> Question {
            Question(eventID: event.eventID, roomID: roomID, sender: event.sender, text: text,
                     threadRoot: threadRoot, sentAt: event.sentAt)
        }
        let mentioned = content["m.mentions"]?["user_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let formatted = content["format"]?.stringValue == "org.matrix.custom.html"
            ? content["formatted_body"]?.stringValue : nil
        let addressed = detector.addressedText(body: text, formattedBody: formatted, mentionedUserIDs: mentioned)
            ?? (repliesToBot ? text : nil)
        switch kind {
        case .direct:
            return .answer(question(addressed ?? text))
        case .group:
            if let addressed { return .answer(question(addressed)) }
            if threadRoot != nil { return .followUpOnly(question(text)) }
            return .ignore(reason: "not addressed to the bot")
        case .support:
            if let addressed { return .answer(question(addressed)) }
            return .answerIfConfident(question(text))
        }
    }
}

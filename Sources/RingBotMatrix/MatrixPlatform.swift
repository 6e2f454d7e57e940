import Foundation
import Logging
import RingBotCore
import RingBotRuntime

/// Matrix's wire protocol for the ``RingBotRuntime/ChatRuntime``: logs in, follows
/// `/sync` from the runtime's cursor (the `next_batch` token), decides which messages are
/// for the bot, and sends replies as `m.notice` with the runtime's idempotency key as the
/// transaction id (so a re-send after a crash is de-duplicated by the homeserver).
///
/// Room chores happen inside ``poll(from:timeout:)``: invites are accepted or declined
/// (``InvitePolicy``), an encrypted room is told once that it is not supported, a cut
/// timeline is back-filled through `/messages`.
public actor MatrixPlatform: ChatPlatform {
    public typealias Target = Question

    let configuration: MatrixBotConfiguration
    let client: MatrixClient
    let store: MatrixStore
    let logger: Logger
    let clock: @Sendable () -> Date

    var userID: String
    var deviceID: String?
    var interpreter: MessageInterpreter
    var filterID: String?
    var memberCounts: [String: Int] = [:]
    var encryptedRooms: Set<String> = []
    var refusedSyncs = 0

    /// The text sent once to an encrypted room.
    public static let encryptionNoticeText =
        "Sorry, I cannot read encrypted rooms, so I will not answer here. Please ask me in a room without encryption or in a direct chat without encryption."

    public nonisolated let platformName = "matrix"
    public nonisolated let sendsAreIdempotent = true

    /// - Parameters:
    ///   - client: the homeserver (its ``MatrixHTTP`` should have `maxFailures` set: the runtime retries).
    ///   - store: the Matrix tables of the state folder's store.
    ///   - clock: the time source, injected for tests.
    public init(configuration: MatrixBotConfiguration, client: MatrixClient, store: MatrixStore, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.client = client
        self.store = store
        self.logger = logger
        self.clock = clock
        self.userID = configuration.userID
        self.interpreter = MessageInterpreter(detector: MentionDetector(
            userID: configuration.userID, displayName: nil, prefix: configuration.commandPrefix))
    }

    var account: AccountKey { AccountKey(platform: platformName, account: userID) }

    // MARK: Connect

    public func connect() async throws -> String {
        try await checkServer()
        try await authenticate()
        let displayName = try await withSession { try await self.client.displayName(of: self.userID) }
        interpreter.detector = MentionDetector(userID: userID, displayName: displayName, prefix: configuration.commandPrefix)
        filterID = try await currentFilterID()
        logger.info("connected to the homeserver", metadata: [
            "homeserver": "\(client.http.baseURL)", "user": "\(userID)", "device": "\(deviceID ?? "?")",
        ])
        return userID
    }

    // MARK: Poll

    public func poll(from cursor: String?, timeout: Duration) async throws -> PollResult<Question> {
        let filter: String
        if let known = filterID { filter = known } else { filter = try await currentFilterID() }
        guard let cursor else { return try await takeCurrentPosition(filterID: filter) }
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let json: JSONValue
        do {
            json = try await withSession {
                try await self.client.sync(since: cursor, filterID: filter, timeout: milliseconds)
            }
            refusedSyncs = 0
        } catch let error as MatrixError where (400..<500).contains(error.status) {
            // The server no longer knows our filter or position (e.g. its database was restored).
            refusedSyncs += 1
            if refusedSyncs == 1 {
                logger.warning("the homeserver refused the sync; uploading the filter again", metadata: ["error": "\(error)"])
                filterID = try await currentFilterID(forceUpload: true)
                return PollResult(messages: [], nextCursor: cursor)
            } else if refusedSyncs == 2 {
                logger.error("the homeserver refused the saved sync position; starting from now (questions asked meanwhile stay unanswered)",
                             metadata: ["error": "\(error)"])
                return try await takeCurrentPosition(filterID: filter)
            }
            throw MatrixProblem.syncRefused(error)
        }
        let batch = try Self.batch(json, userID: userID, logger: logger)
        return PollResult(messages: try await handle(batch, answering: true), nextCursor: batch.nextBatch)
    }

    /// One sync without waiting, to learn the current position; invites are handled,
    /// messages are not answered (they were sent before the bot was there).
    private func takeCurrentPosition(filterID: String) async throws -> PollResult<Question> {
        logger.info("first start: taking the current sync position; earlier messages are not answered")
        interpreter.notBefore = clock()
        let json = try await withSession { try await self.client.sync(since: nil, filterID: filterID, timeout: 0) }
        let batch = try Self.batch(json, userID: userID, logger: logger)
        _ = try await handle(batch, answering: false)
        // Later batches hold only events after this position, so no time filter is needed
        // (one would drop real questions when the bot's clock runs ahead of the server's).
        interpreter.notBefore = nil
        return PollResult(messages: [], nextCursor: batch.nextBatch)
    }

    private static func batch(_ json: JSONValue, userID: String, logger: Logger) throws -> SyncBatch {
        do {
            return try SyncBatch(json: json, userID: userID, logger: logger)
        } catch let error as MatrixError {
            throw ChatPlatformError.transient("\(error)")
        }
    }

    /// The batch's messages for the runtime, after the room chores.
    private func handle(_ batch: SyncBatch, answering: Bool) async throws -> [InboundMessage<Question>] {
        for invite in batch.invites {
            try await handle(invite)
        }
        var messages: [InboundMessage<Question>] = []
        for room in batch.joined {
            if room.membershipChanged { memberCounts[room.roomID] = nil }
            if let count = room.joinedMemberCount { memberCounts[room.roomID] = count }
            let knownEncrypted = try encryptedRooms.contains(room.roomID) || store.isEncryptedRoomNotified(room.roomID)
            if room.announcesEncryption || knownEncrypted {
                try await noteEncrypted(room.roomID)
                continue
            }
            let justJoined = room.timeline.contains {
                $0.type == "m.room.member" && $0.stateKey == userID && $0.content["membership"]?.stringValue == "join"
            }
            guard answering else { continue }
            var events = room.timeline
            if room.timelineLimited && !justJoined {
                events = try await backfill(room) + events
            }
            for event in events where event.type == "m.room.message" {
                if let message = try await inbound(event, in: room.roomID) { messages.append(message) }
            }
        }
        return messages
    }

    private func inbound(_ event: RoomEvent, in roomID: String) async throws -> InboundMessage<Question>? {
        let kind = try await roomKind(roomID)
        let question: Question
        let addressing: Addressing
        switch interpreter.interpret(event, roomID: roomID, kind: kind) {
        case .ignore(let reason):
            logger.trace("ignoring an event", metadata: ["event_id": "\(event.eventID)", "reason": "\(reason)"])
            return nil
        case .answer(let found):
            question = found
            addressing = kind == .direct ? .direct : .mentioned
        case .answerIfConfident(let found):
            question = found
            addressing = .ifConfident
        case .followUpOnly(let found):
            question = found
            addressing = .unaddressed
        }
        return InboundMessage(id: question.eventID, room: roomID, sender: question.sender, thread: question.threadRoot,
                              text: question.text.trimmingCharacters(in: .whitespacesAndNewlines),
                              sentAt: question.sentAt ?? clock(), addressing: addressing, target: question)
    }

    // MARK: Send

    public func send(_ reply: OutgoingReply<Question>) async throws -> String? {
        let content: JSONValue
        switch reply.content {
        case .answer(let document): content = ReplyComposer.reply(document, to: reply.inReplyTo.target)
        case .notice(let text): content = ReplyComposer.reply(text: text, to: reply.inReplyTo.target)
        }
        do {
            return try await withSession {
                try await self.client.send(roomID: reply.inReplyTo.room, transactionID: reply.idempotencyKey, content: content)
            }
        } catch let error as MatrixError {
            // A refusal (e.g. the bot was removed from the room) will not change by retrying.
            throw ChatPlatformError.rejected("\(error)")
        }
    }

    public func setTyping(_ typing: Bool, for message: InboundMessage<Question>) async throws {
        try await client.setTyping(typing, roomID: message.room, userID: userID, timeout: .seconds(5))
    }
}

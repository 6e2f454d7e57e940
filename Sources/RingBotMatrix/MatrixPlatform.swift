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

    private let configuration: MatrixBotConfiguration
    private let client: MatrixClient
    private let store: MatrixStore
    private let logger: Logger
    private let clock: @Sendable () -> Date

    private var userID: String
    private var deviceID: String?
    private var interpreter: MessageInterpreter
    private var filterID: String?
    private var memberCounts: [String: Int] = [:]
    private var encryptedRooms: Set<String> = []
    private var refusedSyncs = 0

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

    private var account: AccountKey { AccountKey(platform: platformName, account: userID) }

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

    /// `GET /_matrix/client/versions`: a 404 means the URL is not a homeserver's base URL
    /// (e.g. it has a path); a server without v1.1+ cannot serve the `/v3` API the bot uses.
    private func checkServer() async throws {
        let answer: JSONValue
        do {
            answer = try await client.versions()
        } catch let error as MatrixError {
            throw MatrixProblem.notAMatrixServer(client.http.baseURL, status: error.status)
        }
        let versions = answer["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let modern = versions.contains { version in
            guard version.hasPrefix("v"), let major = Int(version.dropFirst().split(separator: ".").first ?? "") else { return false }
            return major >= 1 && version != "v1.0"
        }
        if !modern { throw MatrixProblem.unsupported(client.http.baseURL, versions: versions) }
    }

    private func authenticate() async throws {
        if let token = configuration.accessToken {
            client.setAccessToken(token)
            do {
                try await adoptSession(saving: nil)
                return
            } catch let error as MatrixError where error.isUnknownToken {
                guard configuration.password != nil else { throw MatrixProblem.tokenRejectedNoPassword }
                logger.warning("the given access token was rejected; logging in with the password")
            }
        }
        if let stored = try store.session(), stored.homeserver == client.http.baseURL,
           stored.userID == configuration.userID {
            client.setAccessToken(stored.accessToken)
            do {
                try await adoptSession(saving: nil)
                logger.info("reusing the stored session", metadata: ["device": "\(stored.deviceID ?? "?")"])
                return
            } catch let error as MatrixError where error.isUnknownToken {
                logger.warning("the stored access token was rejected; logging in again")
                try store.clearSession()
                deviceID = stored.deviceID
            }
        }
        try await logIn()
    }

    private func adoptSession(saving session: MatrixSession?) async throws {
        let identity = try await client.whoami()
        guard identity.userID == configuration.userID else {
            throw MatrixProblem.wrongUser(expected: configuration.userID, actual: identity.userID)
        }
        userID = identity.userID
        deviceID = identity.deviceID
        if let session { try store.saveSession(session) }
    }

    private func logIn() async throws {
        guard let password = configuration.password else {
            throw configuration.accessToken == nil ? MatrixProblem.noCredentials : MatrixProblem.tokenRejectedNoPassword
        }
        let session: MatrixSession
        do {
            session = try await client.login(user: configuration.userID, password: password, deviceID: deviceID)
        } catch let error as MatrixError {
            throw MatrixProblem.loginRefused(error)
        }
        client.setAccessToken(session.accessToken)
        try await adoptSession(saving: session)
        logger.info("logged in", metadata: ["device": "\(session.deviceID ?? "?")"])
    }

    /// Runs `operation`; if the token was rejected, logs in again (when a password is set) and retries once.
    @discardableResult
    private func withSession<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as MatrixError where error.isUnknownToken {
            guard configuration.password != nil else { throw MatrixProblem.tokenRejectedNoPassword }
            logger.warning("the access token was rejected; logging in again")
            try store.clearSession()
            try await logIn()
            return try await operation()
        }
    }

    private func currentFilterID(forceUpload: Bool = false) async throws -> String {
        let key = "filter:\(userID)#v\(SyncFilter.version)#\(configuration.timelineLimit)"
        if !forceUpload, let stored = try store.store.value(key, for: account) { return stored }
        let definition = SyncFilter.definition(timelineLimit: configuration.timelineLimit)
        let id = try await withSession { try await self.client.uploadFilter(userID: self.userID, filter: definition) }
        try store.store.setValue(id, key, for: account)
        return id
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

    /// The events a cut (`limited`) timeline left out: pages back through `/messages`
    /// until the events are older than the saved cursor (minus a minute of slack;
    /// handled events are skipped by the runtime anyway), at most five pages.
    private func backfill(_ room: JoinedRoomUpdate) async throws -> [RoomEvent] {
        guard let start = room.previousBatch, let savedAt = try store.store.cursor(for: account)?.savedAt else {
            logger.warning("some messages of a busy room were skipped by the server", metadata: ["room": "\(room.roomID)"])
            return []
        }
        let boundary = savedAt.addingTimeInterval(-60)
        let known = Set(room.timeline.map(\.eventID))
        var collected: [RoomEvent] = []
        var from: String? = start
        var pages = 0
        do {
            paging: while let token = from, pages < 5 {
                let page = try await withSession {
                    try await self.client.messagesBefore(roomID: room.roomID, from: token, limit: 100)
                }
                pages += 1
                for json in page.events {
                    guard let event = RoomEvent(json: json) else { continue }
                    if let sentAt = event.sentAt, sentAt < boundary { break paging }
                    if !known.contains(event.eventID) { collected.append(event) }
                }
                if page.events.isEmpty || page.end == token { break }
                from = page.end
            }
        } catch let error as MatrixError {
            logger.warning("could not read the messages a busy room skipped", metadata: [
                "room": "\(room.roomID)", "error": "\(error)",
            ])
        }
        logger.info("filled a gap in a busy room", metadata: ["room": "\(room.roomID)", "events": "\(collected.count)"])
        return collected.reversed()
    }

    private func handle(_ invite: RoomInvite) async throws {
        let inviter = invite.inviter ?? "unknown"
        do {
            if configuration.invitePolicy.accepts(inviter: invite.inviter) {
                try await withSession { try await self.client.join(roomID: invite.roomID) }
                logger.info("accepted an invite", metadata: ["room": "\(invite.roomID)", "inviter": "\(inviter)"])
            } else {
                try await withSession { try await self.client.leave(roomID: invite.roomID) }
                logger.info("declined an invite from a user not on the allow list",
                            metadata: ["room": "\(invite.roomID)", "inviter": "\(inviter)"])
            }
        } catch let error as MatrixError {
            logger.warning("could not answer an invite", metadata: ["room": "\(invite.roomID)", "error": "\(error)"])
        }
    }

    private func noteEncrypted(_ roomID: String) async throws {
        encryptedRooms.insert(roomID)
        guard !(try store.isEncryptedRoomNotified(roomID)) else { return }
        do {
            try await withSession {
                try await self.client.send(roomID: roomID, eventType: "m.room.message",
                                           transactionID: TransactionID.encryptionNotice(in: roomID),
                                           content: ReplyComposer.standalone(text: Self.encryptionNoticeText))
            }
            logger.info("told an encrypted room that it is not supported", metadata: ["room": "\(roomID)"])
        } catch let error as MatrixError {
            logger.warning("could not tell an encrypted room it is not supported",
                           metadata: ["room": "\(roomID)", "error": "\(error)"])
        }
        try store.markEncryptedRoomNotified(roomID, at: clock())
    }

    private func roomKind(_ roomID: String) async throws -> RoomKind {
        let count: Int
        if let known = memberCounts[roomID] {
            count = known
        } else {
            do {
                count = try await withSession { try await self.client.joinedMembers(roomID: roomID) }.count
            } catch let error as MatrixError {
                logger.warning("could not count a room's members", metadata: ["room": "\(roomID)", "error": "\(error)"])
                count = 3
            }
            memberCounts[roomID] = count
        }
        if count <= 2 { return .direct }
        return configuration.supportRooms.contains(roomID) ? .support : .group
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

import Foundation
import Logging
import RingBotCore
import RingBotRuntime

/// The Matrix connector: logs in, follows `/sync`, answers questions and keeps its
/// place in the state store so a restart neither repeats nor loses answers.
///
/// Delivery guarantees: the sync position is saved only after every reply of its
/// batch was sent; each answered event id is committed (with the conversation state)
/// right after its reply was accepted; a reply's transaction id derives from the
/// question's event id, so a reply re-sent after a crash is de-duplicated by the server.
public actor MatrixBot: Connector {
    private let configuration: MatrixBotConfiguration
    private let client: MatrixClient
    private let store: StateStore
    private let engine: BotEngine
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let stop = StopSignal()

    private var userID: String
    private var deviceID: String?
    private var interpreter: MessageInterpreter
    private var memberCounts: [String: Int] = [:]
    private var encryptedRooms: Set<String> = []

    /// The text sent once to an encrypted room.
    public static let encryptionNoticeText =
        "Sorry, I cannot read encrypted rooms, so I will not answer here. Please ask me in a room without encryption or in a direct chat without encryption."

    /// - Parameters:
    ///   - client: the homeserver; its token is set by ``run()`` (login, stored or given).
    ///   - store: session, sync position and conversations (also the `engine`'s store).
    ///   - clock: the time source, injected for tests.
    public init(configuration: MatrixBotConfiguration, client: MatrixClient, store: StateStore, engine: BotEngine,
                logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.client = client
        self.store = store
        self.engine = engine
        self.logger = logger
        self.clock = clock
        self.userID = configuration.userID
        self.interpreter = MessageInterpreter(detector: MentionDetector(
            userID: configuration.userID, displayName: nil, prefix: configuration.commandPrefix))
    }

    /// Asks ``run()`` to return: the sync long-poll is abandoned at once; a reply
    /// being sent is finished and stored first. Safe to call from any thread.
    public nonisolated func requestStop() {
        stop.request()
    }

    /// Runs until ``requestStop()`` or the task is cancelled (then returns normally),
    /// or until a fatal problem (then throws ``MatrixBotError`` or a store error).
    public func run() async throws {
        do {
            try await runUntilStopped()
        } catch is CancellationError {
            logger.info("stopped")
        }
    }

    private func runUntilStopped() async throws {
        try await authenticate()
        let displayName = try await withSession { try await self.client.displayName(of: self.userID) }
        interpreter.detector = MentionDetector(userID: userID, displayName: displayName,
                                               prefix: configuration.commandPrefix)
        var filterID = try await currentFilterID()
        var since = try store.syncPosition()
        if since == nil {
            since = try await takeCurrentPosition(filterID: filterID)
        }
        logger.info("listening", metadata: ["user": "\(userID)"])
        var refused = 0
        while !stop.isRequested {
            let position = since
            let filter = filterID
            let json: JSONValue
            do {
                json = try await withSession {
                    try await self.stop.cancellingOnStop {
                        try await self.client.sync(since: position, filterID: filter,
                                                   timeout: self.configuration.syncTimeout)
                    }
                }
                refused = 0
            } catch is CancellationError where stop.isRequested {
                break
            } catch let error as MatrixError where (400..<500).contains(error.status) {
                // The server no longer knows our filter or position (e.g. its database was restored).
                refused += 1
                if refused == 1 {
                    logger.warning("the homeserver refused the sync; uploading the filter again", metadata: ["error": "\(error)"])
                    filterID = try await currentFilterID(forceUpload: true)
                } else if refused == 2 {
                    logger.error("the homeserver refused the saved sync position; starting from now (questions asked meanwhile stay unanswered)",
                                 metadata: ["error": "\(error)"])
                    since = try await takeCurrentPosition(filterID: filterID)
                } else {
                    throw MatrixBotError("the homeserver keeps refusing to sync (\(error)); check the homeserver, or remove the state folder to start afresh")
                }
                continue
            }
            let batch = try SyncBatch(json: json, userID: userID, logger: logger)
            let complete = try await handle(batch, answering: true)
            guard complete else { break }
            try store.saveSyncPosition(batch.nextBatch, at: clock())
            since = batch.nextBatch
        }
        try store.pruneHandledEvents(before: clock().addingTimeInterval(-30 * 24 * 3600))
        logger.info("stopped; state saved")
    }

    // MARK: Session

    private func authenticate() async throws {
        if let token = configuration.accessToken {
            client.setAccessToken(token)
            do {
                try await adoptSession(saving: nil)
                return
            } catch let error as MatrixError where error.isUnknownToken {
                guard configuration.password != nil else { throw MatrixBotError.tokenRejectedNoPassword }
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
            throw MatrixBotError.wrongUser(expected: configuration.userID, actual: identity.userID)
        }
        userID = identity.userID
        deviceID = identity.deviceID
        if let session { try store.saveSession(session) }
    }

    private func logIn() async throws {
        guard let password = configuration.password else {
            throw configuration.accessToken == nil ? MatrixBotError.noCredentials : MatrixBotError.tokenRejectedNoPassword
        }
        let session: MatrixSession
        do {
            session = try await client.login(user: configuration.userID, password: password, deviceID: deviceID)
        } catch let error as MatrixError {
            throw MatrixBotError.loginRefused(error)
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
            guard configuration.password != nil else { throw MatrixBotError.tokenRejectedNoPassword }
            logger.warning("the access token was rejected; logging in again")
            try store.clearSession()
            try await logIn()
            return try await operation()
        }
    }

    /// One sync without waiting, to learn the current position; invites are handled,
    /// messages are not answered (they were sent before the bot was there).
    private func takeCurrentPosition(filterID: String) async throws -> String {
        logger.info("first start: taking the current sync position; earlier messages are not answered")
        interpreter.notBefore = clock()
        let json = try await withSession { try await self.client.sync(since: nil, filterID: filterID, timeout: 0) }
        let batch = try SyncBatch(json: json, userID: userID, logger: logger)
        try await handle(batch, answering: false)
        try store.saveSyncPosition(batch.nextBatch, at: clock())
        // Later batches hold only events after this position, so no time filter is needed
        // (one would drop real questions when the bot's clock runs ahead of the server's).
        interpreter.notBefore = nil
        return batch.nextBatch
    }

    private func currentFilterID(forceUpload: Bool = false) async throws -> String {
        let key = "\(userID)#v\(SyncFilter.version)#\(configuration.timelineLimit)"
        if !forceUpload, let stored = try store.filterID(for: key) { return stored }
        let definition = SyncFilter.definition(timelineLimit: configuration.timelineLimit)
        let id = try await withSession { try await self.client.uploadFilter(userID: self.userID, filter: definition) }
        try store.saveFilterID(id, for: key)
        return id
    }

    // MARK: Batches

    /// Handles one sync batch. Returns `false` when a stop request interrupted it
    /// (the batch's position must then not be saved).
    @discardableResult
    private func handle(_ batch: SyncBatch, answering: Bool) async throws -> Bool {
        for invite in batch.invites {
            try await handle(invite)
        }
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
            for event in events {
                if stop.isRequested { return false }
                try await handle(event, in: room.roomID)
            }
        }
        return !stop.isRequested
    }

    /// The events a cut (`limited`) timeline left out: pages back through `/messages`
    /// until the events are older than the previous sync position (minus a minute of
    /// slack; answered events are skipped by id anyway), at most five pages.
    private func backfill(_ room: JoinedRoomUpdate) async throws -> [RoomEvent] {
        guard let start = room.previousBatch, let savedAt = try store.syncPositionTime() else {
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

    private func handle(_ event: RoomEvent, in roomID: String) async throws {
        guard event.type == "m.room.message" else { return }
        if try store.isHandled(messageID: event.eventID) { return }
        let kind = try await roomKind(roomID)
        var question: Question
        switch interpreter.interpret(event, roomID: roomID, kind: kind) {
        case .ignore(let reason):
            logger.trace("ignoring an event", metadata: ["event_id": "\(event.eventID)", "reason": "\(reason)"])
            return
        case .answer(let found):
            question = found
        case .answerIfConfident(let found):
            guard engine.classify(found.text).confidence >= engine.answerThreshold else { return }
            question = found
        }
        question.text = question.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let message = IncomingMessage(conversation: ConversationKey(room: roomID, user: question.sender),
                                      text: question.text, messageID: question.eventID,
                                      sentAt: question.sentAt ?? clock())
        switch try await engine.prepare(message) {
        case .ignore:
            return
        case .slowDown(let text):
            try await deliver(ReplyComposer.reply(text: text, to: question), roomID: roomID,
                              transactionID: TransactionID.slowDown(for: question.eventID))
            try store.markHandled(eventID: question.eventID, at: clock())
        case .reply(let reply, let turn):
            let started = clock()
            try await deliver(ReplyComposer.reply(reply.document, to: question), roomID: roomID,
                              transactionID: TransactionID.reply(to: question.eventID))
            try await engine.commit(turn)
            logger.debug("answered", metadata: [
                "room": "\(roomID)", "intent": "\(reply.intent)", "answered": "\(reply.answered)",
                "ms": "\(Int(clock().timeIntervalSince(started) * 1000))",
            ])
        }
    }

    /// Sends a reply; a refusal by the server (e.g. the bot was removed from the room)
    /// is logged and the question counted as handled, so it is not retried forever.
    private func deliver(_ content: JSONValue, roomID: String, transactionID: String) async throws {
        do {
            try await withSession {
                try await self.client.send(roomID: roomID, transactionID: transactionID, content: content)
            }
        } catch let error as MatrixError {
            logger.warning("could not send a reply", metadata: ["room": "\(roomID)", "error": "\(error)"])
        }
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
}

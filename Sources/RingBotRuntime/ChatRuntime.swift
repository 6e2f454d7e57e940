import Foundation
import Logging
import RingBotCore

/// Runs the bot on one ``ChatPlatform``: the loop and every guarantee shared by all
/// platforms (see ``ChatPlatform`` for the list). Create it, call ``run()``, and call
/// ``requestStop()`` from a signal handler to end it.
///
/// Stopping: a long poll or a back-off wait is abandoned at once; a reply being sent gets
/// ``RuntimeSettings/stopGrace`` to finish (else the outbox keeps it for the next start).
public actor ChatRuntime<Platform: ChatPlatform> {
    private typealias Message = InboundMessage<Platform.Target>

    private let platform: Platform
    private let store: StateStore
    private let assistants: AssistantBox
    private let settings: RuntimeSettings
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let stop = StopSignal()
    private let monitor: ConnectionMonitor

    private var flood: FloodControl
    private var account = AccountKey(platform: "", account: "")
    private var pending: FragmentBuffer<Platform.Target>
    private var lastAnswer: [ConversationKey: ContinuousClock.Instant] = [:]
    private var inFlight: [String: OutboxEntry] = [:]
    private var pseudonymizer: SenderPseudonymizer?
    private var startedAt = Date()
    private var backlogAnswered = 0

    /// - Parameters:
    ///   - store: the state folder's store (cursors, conversations, outbox, report).
    ///   - assistants: the assistant, swappable while running (knowledge reload).
    ///   - logger: one line per answer and per change of state; never message text or secrets.
    ///   - now: wall-clock time for stored timestamps; injected by tests.
    public init(platform: Platform, store: StateStore, assistants: AssistantBox,
                settings: RuntimeSettings = RuntimeSettings(), logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.platform = platform
        self.store = store
        self.assistants = assistants
        self.settings = settings
        self.logger = logger
        self.now = now
        self.monitor = ConnectionMonitor(logger: logger)
        self.flood = FloodControl(settings: settings.flood)
        self.pending = FragmentBuffer(wait: settings.fragmentWait, maxFragments: settings.maxFragments)
    }

    /// Asks ``run()`` to return (see the type's notes on stopping). Safe from any thread.
    public nonisolated func requestStop() {
        stop.request()
    }

    /// Runs until ``requestStop()`` (then returns normally), or until a permanent failure:
    /// then throws a ``ChatPlatformError`` whose description is the operator's `error:` line
    /// (or a store error).
    public func run() async throws {
        do {
            try await loop()
        } catch where stop.isRequested && Self.isStopping(error) {
            // The stop interrupted a wait or a request: nothing is lost (cursor and outbox).
        } catch let error as ChatPlatformError {
            throw ChatPlatformError(.permanent, error.description)
        }
        try? store.pruneHandled(before: now().addingTimeInterval(-30 * 24 * 3600))
        logger.info("stopped; state saved")
    }

    /// A failure caused by (or harmless during) a stop: a cancellation or a transient error.
    private static func isStopping(_ error: any Error) -> Bool {
        error is CancellationError || (error as? ChatPlatformError)?.isTransient == true
    }

    private func loop() async throws {
        let firstStart = try store.cursorCount(platform: platform.platformName) == 0
        let attempts = firstStart ? settings.firstStartAttempts : nil
        let accountID = try await retrying("connect", attempts: attempts) { try await self.platform.connect() }
        account = AccountKey(platform: platform.platformName, account: accountID)
        startedAt = now()
        for entry in try store.outbox(for: account) { inFlight[entry.key] = entry }
        if !inFlight.isEmpty {
            logger.notice("replies were being sent when the bot last stopped; they are resolved as their messages come back",
                          metadata: ["count": "\(inFlight.count)"])
        }
        var cursor = try store.cursor(for: account)?.cursor
        var saved = cursor
        /// Saves the cursor once nothing before it waits to be answered.
        func settle() throws {
            guard pending.isEmpty, let position = cursor, position != saved else { return }
            try store.saveCursor(position, for: account, at: now())
            saved = position
            noteBacklog()
        }
        if cursor == nil {
            let first = try await retrying("first poll", attempts: attempts) {
                try await self.platform.poll(from: nil, timeout: .zero)
            }
            for message in first.messages { try await receive(message) }
            try await flushDue(force: true)
            cursor = first.nextCursor
            try settle()
        }
        logger.info("listening", metadata: ["account": "\(accountID)"])
        while !stop.isRequested {
            if let result = try await poll(from: cursor) {
                for message in result.messages {
                    if stop.isRequested { break }
                    try await receive(message)
                }
                if stop.isRequested { break }
                cursor = result.nextCursor
            }
            try await flushDue(force: false)
            try settle()
        }
    }

    /// Polls from `position`. While fragments wait, a poll that overruns its timeout (a
    /// platform that cannot shorten its long poll) is abandoned at the end of the wait:
    /// `nil`, and the next poll starts from the same position.
    private func poll(from position: String?) async throws -> PollResult<Platform.Target>? {
        let timeout = pollTimeout()
        let poll: @Sendable () async throws -> PollResult<Platform.Target> = {
            try await self.retrying("poll", attempts: nil) { try await self.platform.poll(from: position, timeout: timeout) }
        }
        guard !pending.isEmpty else { return try await poll() }
        return try await withThrowingTaskGroup(of: PollResult<Platform.Target>?.self) { group in
            group.addTask { try await poll() }
            group.addTask {
                try await Task.sleep(for: timeout + .milliseconds(500))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private func pollTimeout() -> Duration {
        guard let deadline = pending.earliestDeadline else { return settings.pollTimeout }
        let remaining = ContinuousClock.now.duration(to: deadline)
        return max(.zero, min(settings.pollTimeout, remaining))
    }

    private func noteBacklog() {
        guard backlogAnswered > 0 else { return }
        logger.info("answered the messages sent while the bot was not running", metadata: ["count": "\(backlogAnswered)"])
        backlogAnswered = 0
    }

    // MARK: Messages

    private func receive(_ message: Message) async throws {
        if try store.isHandled(message.id, for: account) { return }
        let key = account.conversation(room: message.room, user: message.sender)
        if pending.contains(message.id, in: key) { return }
        let assistant = assistants.current
        switch message.addressing {
        case .direct, .mentioned:
            break
        case .ifConfident:
            guard assistant.classify(message.text).confidence >= assistant.knowledge.settings.answerThreshold else {
                logger.trace("not confident enough to answer in a support room", metadata: ["message": "\(message.id)"])
                return
            }
        case .unaddressed:
            guard let thread = message.thread, try store.isThreadAnswered(thread, room: message.room, for: account) else {
                logger.trace("not addressed to the bot", metadata: ["message": "\(message.id)"])
                return
            }
        }
        let decision = flood.admit(key, sentAt: message.sentAt)
        if decision == .record {
            try await recordUnanswered(message, key: key)
            return
        }
        let waits = message.addressing == .direct && settings.fragmentWait > .zero
        if let last = pending[key]?.messages.last {
            if message.sentAt.timeIntervalSince(last.sentAt) > 30 {
                try await flush(key)   // an old fragment and a new message: not one question
            } else if let group = pending.append(message, flood: decision, to: key, now: ContinuousClock.now) {
                let state = try store.conversationState(for: key)
                if group.messages.count >= settings.maxFragments
                    || MessageCompleteness.isComplete(Self.joined(group.messages), assistant: assistant, state: state,
                                                  now: message.sentAt) {
                    try await flush(key)
                }
                return
            }
        }
        if waits {
            let state = try store.conversationState(for: key)
            if !MessageCompleteness.isComplete(message.text, assistant: assistant, state: state, now: message.sentAt) {
                pending.start(key, with: message, flood: decision, now: ContinuousClock.now)
                showTyping(for: message)
                return
            }
        }
        try await answer([message], flood: [decision], key: key)
    }

    /// Answers every group whose wait is over (all of them when `force`).
    private func flushDue(force: Bool) async throws {
        for key in pending.due(at: ContinuousClock.now, all: force) {
            if stop.isRequested { return }
            try await flush(key)
        }
    }

    private func flush(_ key: ConversationKey) async throws {
        guard let group = pending.take(key) else { return }
        try await answer(group.messages, flood: group.flood, key: key)
    }

    private nonisolated func showTyping(for message: Message) {
        let platform = self.platform
        let logger = self.logger
        Task {
            do { try await platform.setTyping(true, for: message) } catch {
                logger.debug("could not show the typing notice", metadata: ["error": "\(error)"])
            }
        }
    }

    private static func joined(_ messages: [Message]) -> String {
        messages.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    // MARK: Answering

    /// Answers `messages` (one message, or the fragments of one question) with one reply to the last.
    private func answer(_ messages: [Message], flood decisions: [FloodDecision], key: ConversationKey) async throws {
        guard let last = messages.last else { return }
        let ids = messages.map(\.id)
        if decisions.contains(.slow(notice: true)) {
            try await sendNotice(FloodControl.slowDownText, to: last, key: key)
            logger.info("flood control: answering a user more slowly", metadata: ["room": "\(last.room)"])
        }
        if decisions.contains(where: { if case .slow = $0 { true } else { false } }), let previous = lastAnswer[key] {
            let ready = previous + Self.duration(settings.flood.slowInterval)
            let wait = ContinuousClock.now.duration(to: ready)
            if wait > .zero { try await stop.sleep(for: wait) }
        }
        let started = ContinuousClock.now
        var text = Self.joined(messages)
        if text.isEmpty && last.addressing != .direct { text = "help" }
        let assistant = assistants.current
        var state = try store.conversationState(for: key) ?? ConversationState()
        let reply = assistant.respond(to: text, state: &state, now: last.sentAt)
        var unanswered: [UnansweredQuestion] = []
        if !reply.answered {
            unanswered.append(UnansweredQuestion(
                text: text, askedAt: last.sentAt, senderHash: try senderPseudonymizer().pseudonym(for: last.sender),
                bestGuess: reply.bestGuess?.intent ?? reply.intent, confidence: reply.bestGuess?.confidence ?? reply.confidence,
                platform: account.platform))
        }
        let outgoing = OutgoingReply(content: .answer(reply.document), inReplyTo: last, answers: ids,
                                     idempotencyKey: Self.idempotencyKey(for: last.id))
        let delivered = try await deliver(outgoing, key: key)
        try store.commit(CompletedTurn(conversation: key, messageIDs: ids, state: delivered ? state : nil,
                                       unanswered: delivered ? unanswered : [], outboxKey: outgoing.idempotencyKey,
                                       answeredThread: delivered ? last.thread : nil, completedAt: now()))
        lastAnswer[key] = ContinuousClock.now
        if last.sentAt < startedAt.addingTimeInterval(-5) { backlogAnswered += messages.count }
        guard delivered else { return }
        let elapsed = started.duration(to: ContinuousClock.now)
        logger.info("answered", metadata: [
            "topic": "\(reply.intent)", "answered": "\(reply.answered)",
            "confidence": "\(String(format: "%.2f", reply.confidence))",
            "latency_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            "messages": "\(messages.count)",
        ])
    }

    /// Records `outgoing` in the outbox, resolves a send left in flight by an earlier run,
    /// and sends. Returns `false` when the platform rejected it for good.
    private func deliver(_ outgoing: OutgoingReply<Platform.Target>, key: ConversationKey) async throws -> Bool {
        if inFlight.removeValue(forKey: outgoing.idempotencyKey) != nil && !platform.sendsAreIdempotent {
            switch try await retrying("check a reply sent before the stop", attempts: nil, {
                try await self.platform.checkDelivery(of: outgoing)
            }) {
            case .delivered:
                logger.info("a reply sent before the last stop had arrived; not sending it again",
                            metadata: ["message": "\(outgoing.inReplyTo.id)"])
                return true
            case .notDelivered:
                break
            case .unknown:
                logger.warning("a reply was being sent when the bot last stopped and the platform cannot tell whether it arrived; sending it again (the user may see it twice)",
                               metadata: ["message": "\(outgoing.inReplyTo.id)"])
            }
        }
        try store.recordOutgoing(OutboxEntry(conversation: key, key: outgoing.idempotencyKey,
                                             messageIDs: outgoing.answers, createdAt: now()))
        do {
            _ = try await stop.finishing(within: settings.stopGrace) {
                try await self.retrying("send a reply", attempts: nil, abandonOnStop: false) { try await self.platform.send(outgoing) }
            }
            return true
        } catch let error as ChatPlatformError where error.kind == .rejected {
            logger.warning("the platform refused a reply; the message is counted as handled",
                           metadata: ["room": "\(outgoing.inReplyTo.room)", "error": "\(error)"])
            return false
        }
    }

    private func sendNotice(_ text: String, to message: Message, key: ConversationKey) async throws {
        let notice = OutgoingReply(content: .notice(text), inReplyTo: message, answers: [message.id],
                                   idempotencyKey: "ringbot-slow-" + SHA256.hex(message.id).prefix(32))
        do {
            _ = try await stop.finishing(within: settings.stopGrace) {
                try await self.retrying("send a notice", attempts: nil, abandonOnStop: false) { try await self.platform.send(notice) }
            }
        } catch let error as ChatPlatformError where error.kind == .rejected {
            logger.warning("the platform refused a notice", metadata: ["room": "\(message.room)", "error": "\(error)"])
        }
    }

    /// Past flood control's hard limit: not answered, recorded for the report.
    private func recordUnanswered(_ message: Message, key: ConversationKey) async throws {
        let question = UnansweredQuestion(
            text: message.text, askedAt: message.sentAt,
            senderHash: try senderPseudonymizer().pseudonym(for: message.sender),
            bestGuess: UnansweredQuestion.notAnsweredFlood, confidence: 0, platform: account.platform)
        try store.commit(CompletedTurn(conversation: key, messageIDs: [message.id], state: nil,
                                       unanswered: [question], completedAt: now()))
        logger.warning("flood control: a message past the hard limit was recorded as unanswered",
                       metadata: ["room": "\(message.room)"])
    }

    private func senderPseudonymizer() throws -> SenderPseudonymizer {
        if let pseudonymizer { return pseudonymizer }
        let made = try store.senderPseudonymizer()
        pseudonymizer = made
        return made
    }

    /// `ringbot-` and 32 hex digits of SHA-256 of the message id: the same reply always gets the same key.
    public static func idempotencyKey(for messageID: String) -> String {
        "ringbot-" + SHA256.hex(messageID).prefix(32)
    }

    private static func duration(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    // MARK: Retries

    /// Runs `operation`, retrying transient failures with back-off until it succeeds, a stop
    /// is requested, or (`attempts` given) it failed that many times: then it throws a
    /// permanent error naming the last failure.
    /// With `abandonOnStop` false (a reply being sent), an attempt in progress is not
    /// abandoned by a stop (the caller bounds it); a back-off wait always is.
    private func retrying<T: Sendable>(_ purpose: String, attempts: Int?, abandonOnStop: Bool = true,
                                       _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        var failures = 0
        while true {
            if stop.isRequested { throw CancellationError() }
            do {
                let value = abandonOnStop ? try await stop.cancellingOnStop(operation) : try await operation()
                monitor.succeeded()
                return value
            } catch let error as ChatPlatformError {
                guard case .transient(let retryAfter) = error.kind else { throw error }
                failures += 1
                if let attempts, failures >= attempts {
                    throw ChatPlatformError.permanent("\(error.description) (gave up after \(failures) tries at the first start; check the settings)")
                }
                monitor.failed(reason: "\(purpose): \(error.description)")
                var delay = settings.backoff.delay(attempt: failures - 1, random: { Double.random(in: 0...1) })
                if let retryAfter, retryAfter > delay { delay = retryAfter }
                try await stop.sleep(for: delay)
            }
        }
    }
}

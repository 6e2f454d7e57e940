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
    typealias Message = InboundMessage<Platform.Target>

    let platform: Platform
    let store: StateStore
    let assistants: AssistantBox
    let settings: RuntimeSettings
    let logger: Logger
    let now: @Sendable () -> Date
    let stop = StopSignal()
    let monitor: ConnectionMonitor

    var flood: FloodControl
    var account = AccountKey(platform: "", account: "")
    var pending: FragmentBuffer<Platform.Target>
    var paced: PacedQueue<Platform.Target>
    var lastAnswer: [ConversationKey: ContinuousClock.Instant] = [:]
    var inFlight: [String: OutboxEntry] = [:]
    var pseudonymizer: SenderPseudonymizer?
    var startedAt = Date()
    var backlogAnswered = 0

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
        self.paced = PacedQueue(interval: .milliseconds(Int64((settings.flood.slowInterval * 1000).rounded())))
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
            guard pending.isEmpty, paced.isEmpty, let position = cursor, position != saved else { return }
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
        guard !pending.isEmpty || !paced.isEmpty else { return try await poll() }
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
        guard let deadline = [pending.earliestDeadline, paced.earliestDue].compactMap({ $0 }).min() else {
            return settings.pollTimeout
        }
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
        if pending.contains(message.id, in: key) || paced.contains(message.id, in: key) { return }
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
        if pending[key] == nil, case .slow(let notice) = decision {
            try await slowDown(message, key: key, notice: notice)
            return
        }
        if paced.isQueued(key) {
            paced.enqueue(message, for: key, lastAnswer: lastAnswer[key], now: ContinuousClock.now)   // keep the order
            return
        }
        if let last = pending[key]?.messages.last {
            if message.sentAt.timeIntervalSince(last.sentAt) > 30 {
                try await flush(key)   // an old fragment and a new message: not one question
            } else if let group = pending.append(message, flood: decision, to: key, now: ContinuousClock.now) {
                let state = try store.conversationState(for: key)
                var complete = group.messages.count >= settings.maxFragments
                if !complete {
                    complete = await Self.isComplete(Self.joined(group.messages), assistant: assistant, state: state,
                                                     now: message.sentAt)
                }
                if complete { try await flush(key) }
                return
            }
        }
        if waits {
            let state = try store.conversationState(for: key)
            if !(await Self.isComplete(message.text, assistant: assistant, state: state, now: message.sentAt)) {
                pending.start(key, with: message, flood: decision, now: ContinuousClock.now)
                showTyping(for: message)
                return
            }
        }
        try await answer([message], flood: [decision], key: key)
    }

    /// Past flood control's limit: one notice at once, then the message waits its turn in the slow lane.
    private func slowDown(_ message: Message, key: ConversationKey, notice: Bool) async throws {
        if notice {
            try await sendNotice(FloodControl.slowDownText, to: message, key: key)
            logger.info("flood control: answering a user more slowly", metadata: ["room": "\(message.room)"])
        }
        paced.enqueue(message, for: key, lastAnswer: lastAnswer[key], now: ContinuousClock.now)
    }

    /// Answers every fragment group whose wait is over and the slow lane's due messages
    /// (all of them when `force`).
    private func flushDue(force: Bool) async throws {
        for key in pending.due(at: ContinuousClock.now, all: force) {
            if stop.isRequested { return }
            try await flush(key)
        }
        for (key, message) in paced.takeDue(at: ContinuousClock.now, all: force) {
            if stop.isRequested { return }
            try await answer([message], flood: [.allow], key: key)
        }
    }

    func flush(_ key: ConversationKey) async throws {
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

    static func joined(_ messages: [Message]) -> String {
        messages.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

extension ChatRuntime {
    /// ``MessageCompleteness/isComplete(_:assistant:state:now:)`` off the cooperative pool: it reads
    /// the message with the sentence encoder.
    static func isComplete(_ text: String, assistant: Assistant, state: ConversationState?, now: Date) async -> Bool {
        await onDedicatedThread { MessageCompleteness.isComplete(text, assistant: assistant, state: state, now: now) }
    }
}

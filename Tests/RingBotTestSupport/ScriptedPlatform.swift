import Foundation
import RingBotRuntime
import Synchronization

/// A ``ChatPlatform`` that plays a script: the poll from cursor `c<k>` returns step `k` and
/// the cursor `c<k+1>` (a failure step is thrown once, then skipped); the first poll of a first
/// start (no cursor) returns nothing and `c0`. Polling again from the same cursor returns the
/// same step, as ``ChatPlatform`` requires (a cancelled poll loses nothing). When the script has run out, a short poll (under a second: the runtime is
/// waiting for a fragment) returns nothing after its timeout, and the first long poll calls
/// ``whenIdle`` (tests stop the runtime there) and waits to be cancelled. Records every call. Its `Target` is the message id.
public final class ScriptedPlatform: ChatPlatform, Sendable {
    public typealias Target = String

    /// One poll's outcome.
    public enum Step: Sendable {
        case messages([InboundMessage<String>])
        case failure(ChatPlatformError)
    }

    /// A recorded poll.
    public struct Poll: Sendable, Equatable {
        public var cursor: String?
        public var timeout: Duration
    }

    private struct State {
        var steps: [Step]
        var failed: Set<Int> = []
        var polls: [Poll] = []
        var sent: [OutgoingReply<String>] = []
        var typing: [String] = []
        var connectFailures: [ChatPlatformError] = []
        var connects = 0
        var sendFailures: [ChatPlatformError] = []
        var deliveryChecks: [String] = []
        var delivery: DeliveryCheck = .unknown
        var whenIdle: (@Sendable () -> Void)?
        var sendDelay: Duration = .zero
        var ignoresTimeouts = false
    }

    private let state: Mutex<State>
    public let platformName: String
    public let account: String
    public let sendsAreIdempotent: Bool

    /// - Parameters:
    ///   - steps: what the polls after the first one return, in order (the first poll of a
    ///     first start, with no cursor, returns no messages).
    ///   - idempotent: whether sends de-duplicate by key (else ``checkDelivery(of:)`` answers ``delivery``).
    public init(_ steps: [Step], platformName: String = "test", account: String = "bot", idempotent: Bool = true) {
        state = Mutex(State(steps: steps))
        self.platformName = platformName
        self.account = account
        self.sendsAreIdempotent = idempotent
    }

    /// Called when the script has run out (e.g. `{ runtime.requestStop() }`).
    public func whenIdle(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.whenIdle = action }
    }

    /// The next connects fail with these errors, in order.
    public func failConnects(_ errors: [ChatPlatformError]) { state.withLock { $0.connectFailures = errors } }
    /// The next sends fail with these errors, in order.
    public func failSends(_ errors: [ChatPlatformError]) { state.withLock { $0.sendFailures = errors } }
    /// What ``checkDelivery(of:)`` answers.
    public func answerDeliveryChecks(_ answer: DeliveryCheck) { state.withLock { $0.delivery = answer } }
    /// Once the script has run out, every poll waits an hour whatever its timeout (a platform
    /// whose long poll cannot be shortened); the runtime must cancel it.
    public func ignoreTimeouts() { state.withLock { $0.ignoresTimeouts = true } }
    /// Each send takes this long (to stop in the middle of one).
    public func delaySends(_ delay: Duration) { state.withLock { $0.sendDelay = delay } }

    public var sent: [OutgoingReply<String>] { state.withLock { $0.sent } }
    public var sentTexts: [String] { sent.map(\.plainText) }
    public var polls: [Poll] { state.withLock { $0.polls } }
    public var typing: [String] { state.withLock { $0.typing } }
    public var connects: Int { state.withLock { $0.connects } }
    public var deliveryChecks: [String] { state.withLock { $0.deliveryChecks } }

    public func connect() async throws -> String {
        let failure = state.withLock { state -> ChatPlatformError? in
            state.connects += 1
            return state.connectFailures.isEmpty ? nil : state.connectFailures.removeFirst()
        }
        if let failure { throw failure }
        return account
    }

    public func poll(from cursor: String?, timeout: Duration) async throws -> PollResult<String> {
        let (step, index, idle, ignoresTimeout): (Step?, Int, (@Sendable () -> Void)?, Bool) = state.withLock { state in
            state.polls.append(Poll(cursor: cursor, timeout: timeout))
            guard let cursor else { return (.messages([]), 0, nil, false) }
            var index = Int(cursor.dropFirst()) ?? 0
            // A failure is thrown once; the retry from the same cursor gets the step after it.
            while index < state.steps.count, case .failure = state.steps[index], state.failed.contains(index) { index += 1 }
            guard index < state.steps.count else { return (nil, index, state.whenIdle, state.ignoresTimeouts) }
            if case .failure = state.steps[index] { state.failed.insert(index) }
            return (state.steps[index], index + 1, nil, false)
        }
        switch step {
        case .messages(let messages)?:
            return PollResult(messages: messages, nextCursor: "c\(index)")   // index: the next step
        case .failure(let error)?:
            throw error
        case nil:
            if timeout >= .seconds(1) { idle?() }
            try await Task.sleep(for: ignoresTimeout ? .seconds(3600) : timeout)
            return PollResult(messages: [], nextCursor: cursor ?? "c0")
        }
    }

    public func send(_ reply: OutgoingReply<String>) async throws -> String? {
        let (failure, delay) = state.withLock { state -> (ChatPlatformError?, Duration) in
            (state.sendFailures.isEmpty ? nil : state.sendFailures.removeFirst(), state.sendDelay)
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        if let failure { throw failure }
        let count = state.withLock { state -> Int in
            state.sent.append(reply)
            return state.sent.count
        }
        return "sent\(count)"
    }

    public func checkDelivery(of reply: OutgoingReply<String>) async throws -> DeliveryCheck {
        state.withLock { state in
            state.deliveryChecks.append(reply.inReplyTo.id)
            return state.delivery
        }
    }

    public func setTyping(_ typing: Bool, for message: InboundMessage<String>) async throws {
        state.withLock { $0.typing.append(message.id) }
    }
}

extension InboundMessage where Target == String {
    /// A test message; its target is its id.
    public static func test(_ id: String, _ text: String, from sender: String = "@alice", room: String = "!dm",
                            thread: String? = nil, at sentAt: Date = Date(timeIntervalSince1970: 1_700_000_000),
                            addressing: Addressing = .direct) -> InboundMessage<String> {
        InboundMessage(id: id, room: room, sender: sender, thread: thread, text: text, sentAt: sentAt,
                       addressing: addressing, target: id)
    }
}

/// Flood control's slow lane: per conversation, the messages to answer at most one per
/// interval, in order. The loop answers whatever is due and keeps polling meanwhile, so a
/// user sending too much slows down only their own answers, never other people's.
struct PacedQueue<Target: Sendable & Equatable>: Sendable {
    private var queues: [ConversationKey: [InboundMessage<Target>]] = [:]
    private var ready: [ConversationKey: ContinuousClock.Instant] = [:]
    /// The least time between two answers in one conversation.
    let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    var isEmpty: Bool { queues.isEmpty }

    /// Whether messages of `key` wait here (later ones must queue behind them).
    func isQueued(_ key: ConversationKey) -> Bool { queues[key] != nil }

    func contains(_ messageID: String, in key: ConversationKey) -> Bool {
        queues[key]?.contains { $0.id == messageID } ?? false
    }

    /// Queues `message`; the conversation's previous answer (if any) was at `lastAnswer`.
    mutating func enqueue(_ message: InboundMessage<Target>, for key: ConversationKey,
                          lastAnswer: ContinuousClock.Instant?, now: ContinuousClock.Instant) {
        if queues[key] == nil { ready[key] = lastAnswer.map { max(now, $0 + interval) } ?? now }
        queues[key, default: []].append(message)
    }

    /// When the next queued message may be answered.
    var earliestDue: ContinuousClock.Instant? {
        queues.keys.compactMap { ready[$0] }.min()
    }

    /// Takes the next message of every conversation that is due at `now` (oldest due first)
    /// and sets when each may answer again.
    mutating func takeDue(at now: ContinuousClock.Instant, all: Bool = false) -> [(ConversationKey, InboundMessage<Target>)] {
        let due = queues.keys.filter { all || (ready[$0] ?? now) <= now }.sorted { (ready[$0] ?? now) < (ready[$1] ?? now) }
        var taken: [(ConversationKey, InboundMessage<Target>)] = []
        for key in due {
            guard var queue = queues[key], !queue.isEmpty else { continue }
            taken.append((key, queue.removeFirst()))
            if queue.isEmpty {
                queues[key] = nil
                ready[key] = nil
            } else {
                queues[key] = queue
                ready[key] = now + interval
            }
        }
        return taken
    }
}

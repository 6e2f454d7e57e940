/// The messages of people who are still typing their question (direct chats): per
/// conversation, the fragments so far, their flood decisions and when to stop waiting.
/// Pure bookkeeping on the runtime's monotonic clock; ``ChatRuntime`` decides what is a
/// fragment (``MessageCompleteness``) and answers the groups.
struct FragmentBuffer<Target: Sendable & Equatable>: Sendable {
    /// One person's fragments, oldest first.
    struct Group: Sendable {
        var messages: [InboundMessage<Target>]
        var flood: [FloodDecision]
        var firstArrival: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
    }

    private var groups: [ConversationKey: Group] = [:]
    /// How long to wait for the next fragment.
    let wait: Duration
    /// At most this many fragments per group; the whole wait is bounded by `wait` × this.
    let maxFragments: Int

    init(wait: Duration, maxFragments: Int) {
        self.wait = wait
        self.maxFragments = maxFragments
    }

    var isEmpty: Bool { groups.isEmpty }

    /// When the earliest group's wait ends.
    var earliestDeadline: ContinuousClock.Instant? { groups.values.map(\.deadline).min() }

    /// The group of `key`, if one is waiting.
    subscript(key: ConversationKey) -> Group? { groups[key] }

    /// Whether `messageID` is already waiting in `key`'s group.
    func contains(_ messageID: String, in key: ConversationKey) -> Bool {
        groups[key]?.messages.contains { $0.id == messageID } ?? false
    }

    /// Starts waiting for more after `message`.
    mutating func start(_ key: ConversationKey, with message: InboundMessage<Target>, flood: FloodDecision,
                        now: ContinuousClock.Instant) {
        groups[key] = Group(messages: [message], flood: [flood], firstArrival: now, deadline: now + wait)
    }

    /// Adds `message` to `key`'s group and waits again (never past the bound); returns the group.
    mutating func append(_ message: InboundMessage<Target>, flood: FloodDecision, to key: ConversationKey,
                         now: ContinuousClock.Instant) -> Group? {
        guard var group = groups[key] else { return nil }
        group.messages.append(message)
        group.flood.append(flood)
        group.deadline = min(now + wait, group.firstArrival + wait * maxFragments)
        groups[key] = group
        return group
    }

    /// Removes and returns `key`'s group (to answer it).
    mutating func take(_ key: ConversationKey) -> Group? {
        groups.removeValue(forKey: key)
    }

    /// The conversations whose wait is over at `now` (all of them when `all`), oldest first.
    func due(at now: ContinuousClock.Instant, all: Bool = false) -> [ConversationKey] {
        groups.filter { all || $0.value.deadline <= now }
            .sorted { $0.value.firstArrival < $1.value.firstArrival }
            .map(\.key)
    }
}

import Foundation

/// How the bot treats one user sending many messages in one room. Never silent: past
/// ``maxMessages`` within ``window`` the bot sends one notice and answers more slowly; only
/// past ``hardLimit`` does it stop answering, and records those messages as unanswered
/// (visible in `ringbot report unanswered`). Time is the platform's server time of each
/// message, so a backlog answered after downtime is not a flood.
///
/// Defaults (settings file `flood:`): `max_messages: 10`, `window_seconds: 60`,
/// `slow_interval_seconds: 1`, `hard_limit: 100`, `cool_down_seconds: 60`.
public struct FloodControlSettings: Sendable, Equatable {
    /// Messages within ``window`` answered at full speed; `0` turns flood control off.
    public var maxMessages: Int
    /// The sliding window, in seconds of server time.
    public var window: TimeInterval
    /// Past ``maxMessages``, answers to that user are at least this many seconds apart.
    public var slowInterval: TimeInterval
    /// Past this many messages within ``window``, messages are recorded as unanswered instead.
    public var hardLimit: Int
    /// At most one "slow down" notice per conversation within this many seconds.
    public var coolDown: TimeInterval

    public init(maxMessages: Int = 10, window: TimeInterval = 60, slowInterval: TimeInterval = 1,
                hardLimit: Int = 100, coolDown: TimeInterval = 60) {
        self.maxMessages = maxMessages
        self.window = window
        self.slowInterval = slowInterval
        self.hardLimit = hardLimit
        self.coolDown = coolDown
    }

    /// No flood control at all.
    public static let off = FloodControlSettings(maxMessages: 0)

    public var isEnabled: Bool { maxMessages > 0 }
}

/// What to do with one message, as far as flood control is concerned.
public enum FloodDecision: Sendable, Equatable {
    /// Answer it.
    case allow
    /// Answer it, at least ``FloodControlSettings/slowInterval`` after the previous answer;
    /// `notice`: first send the one "slow down" notice.
    case slow(notice: Bool)
    /// Past the hard limit: do not answer, record it as unanswered.
    case record
}

/// A per-conversation sliding-window counter. A value type with no clock of its own:
/// callers pass each message's server time.
public struct FloodControl: Sendable {
    private struct Entry: Sendable {
        var recent: [Date] = []
        var lastNotice: Date?
    }

    public var settings: FloodControlSettings
    private var entries: [ConversationKey: Entry] = [:]
    /// Above this many tracked conversations, idle ones are forgotten.
    private let pruneThreshold = 4096

    public init(settings: FloodControlSettings) {
        self.settings = settings
    }

    /// The notice sent once when a user's messages pass the limit.
    public static let slowDownText =
        "You are sending messages faster than I can answer them. I will answer each one, a little more slowly; please wait for my replies."

    /// Counts one message of `key` sent at `sentAt` (server time) and decides what to do with it.
    public mutating func admit(_ key: ConversationKey, sentAt: Date) -> FloodDecision {
        guard settings.isEnabled else { return .allow }
        var entry = entries[key] ?? Entry()
        defer { entries[key] = entry }
        entry.recent.removeAll { abs(sentAt.timeIntervalSince($0)) >= settings.window }
        entry.recent.append(sentAt)
        if entries.count > pruneThreshold { prune(latest: sentAt) }
        let count = entry.recent.count
        if count <= settings.maxMessages { return .allow }
        if settings.hardLimit > 0 && count > settings.hardLimit { return .record }
        let notice = entry.lastNotice.map { abs(sentAt.timeIntervalSince($0)) >= settings.coolDown } ?? true
        if notice { entry.lastNotice = sentAt }
        return .slow(notice: notice)
    }

    private mutating func prune(latest: Date) {
        entries = entries.filter { _, entry in
            entry.recent.contains { abs(latest.timeIntervalSince($0)) < settings.window }
        }
    }
}

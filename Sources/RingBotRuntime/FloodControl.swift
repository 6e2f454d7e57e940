import Foundation

/// How many messages one user may send in one room before the bot asks them to slow down.
public struct FloodControlSettings: Sendable, Equatable {
    /// Messages allowed within ``window``; `0` turns flood control off.
    public var maxMessages: Int
    /// The sliding window, in seconds.
    public var window: TimeInterval
    /// After the "slow down" notice, further messages are ignored for this long, in seconds.
    public var coolDown: TimeInterval

    public init(maxMessages: Int = 8, window: TimeInterval = 30, coolDown: TimeInterval = 60) {
        self.maxMessages = maxMessages
        self.window = window
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
    /// Too many: send one polite "slow down" notice instead of an answer.
    case warn
    /// In the cool-down after a warning: ignore it silently.
    case ignore
}

/// A per-conversation sliding-window counter. A value type with no clock of its
/// own: callers pass `now`, so tests drive it with any times they like.
public struct FloodControl: Sendable {
    private struct Entry: Sendable {
        var recent: [Date] = []
        var mutedUntil: Date?
    }

    public var settings: FloodControlSettings
    private var entries: [ConversationKey: Entry] = [:]
    /// Above this many tracked conversations, idle ones are forgotten.
    private let pruneThreshold = 4096

    public init(settings: FloodControlSettings) {
        self.settings = settings
    }

    /// Counts one message of `key` at `now` and decides what to do with it.
    public mutating func admit(_ key: ConversationKey, at now: Date) -> FloodDecision {
        guard settings.isEnabled else { return .allow }
        var entry = entries[key] ?? Entry()
        defer { entries[key] = entry }
        if let mutedUntil = entry.mutedUntil {
            if now < mutedUntil { return .ignore }
            entry.mutedUntil = nil
        }
        entry.recent.removeAll { now.timeIntervalSince($0) >= settings.window }
        entry.recent.append(now)
        if entry.recent.count > settings.maxMessages {
            entry.recent.removeAll()
            entry.mutedUntil = now.addingTimeInterval(settings.coolDown)
            return .warn
        }
        if entries.count > pruneThreshold { prune(now: now) }
        return .allow
    }

    private mutating func prune(now: Date) {
        entries = entries.filter { _, entry in
            if let muted = entry.mutedUntil, muted > now { return true }
            return entry.recent.contains { now.timeIntervalSince($0) < settings.window }
        }
    }
}

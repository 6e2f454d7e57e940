import Foundation

/// What the bot remembers about one conversation (one user in one room, or one REPL session).
/// Codable so adapters can persist it; the core never stores it itself.
public struct ConversationState: Sendable, Codable, Equatable {
    /// The topic (intent id) under discussion.
    public var topic: String?
    /// The user's platform, once known.
    public var platform: Platform?
    /// The fixes already given, in order, qualified by their topic (`stuck_on_calling/unblock`).
    public var fixesGiven: [String]
    /// When the bot asked "which of these do you mean?", the candidates it named.
    public var pendingChoice: [String]
    /// When the conversation last saw a message; used for idle expiry.
    public var lastActivity: Date?

    public init(topic: String? = nil, platform: Platform? = nil, fixesGiven: [String] = [],
                pendingChoice: [String] = [], lastActivity: Date? = nil) {
        self.topic = topic
        self.platform = platform
        self.fixesGiven = fixesGiven
        self.pendingChoice = pendingChoice
        self.lastActivity = lastActivity
    }

    /// Conversations idle this long start afresh.
    public static let idleExpiry: TimeInterval = 30 * 60
}

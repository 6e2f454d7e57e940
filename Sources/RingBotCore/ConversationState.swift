import Foundation

/// What the bot remembers about one conversation (one user in one room, or one REPL session).
/// Codable so adapters can persist it; the core never stores it itself.
public struct ConversationState: Sendable, Codable, Equatable {
    /// The topic (intent id) under discussion.
    public var topic: String?
    /// The user's platform, once known.
    public var platform: Platform?
    /// Ids of the fixes of ``topic`` already given, in order.
    public var fixesGiven: [String]
    /// When the bot asked "which of these do you mean?", the candidates it named.
    public var pendingChoice: [String]
    /// Whether the bot asked for the platform and is waiting for it.
    public var awaitingPlatform: Bool
    /// When the conversation last saw a message; used for idle expiry.
    public var lastActivity: Date?

    public init(topic: String? = nil, platform: Platform? = nil, fixesGiven: [String] = [],
                pendingChoice: [String] = [], awaitingPlatform: Bool = false, lastActivity: Date? = nil) {
        self.topic = topic
        self.platform = platform
        self.fixesGiven = fixesGiven
        self.pendingChoice = pendingChoice
        self.awaitingPlatform = awaitingPlatform
        self.lastActivity = lastActivity
    }

    /// Conversations idle this long start afresh.
    public static let idleExpiry: TimeInterval = 30 * 60
}

import Foundation
import RingBotCore

/// One answered turn, stored in one transaction once its reply has been delivered: the
/// conversation's new state, the message ids to remember as handled, the questions the bot
/// could not answer, and the outbox entry to resolve.
public struct CompletedTurn: Sendable, Equatable {
    public var conversation: ConversationKey
    /// Every message this turn answered (several when fragments were joined).
    public var messageIDs: [String]
    /// The conversation's new state; `nil` leaves the stored state as it is (a notice).
    public var state: ConversationState?
    /// Questions for the unanswered report.
    public var unanswered: [UnansweredQuestion]
    /// The outbox entry (its idempotency key) the reply was recorded under, now delivered.
    public var outboxKey: String?
    /// The thread the reply went to: later messages there are follow-ups for the bot.
    public var answeredThread: String?
    public var completedAt: Date

    public init(conversation: ConversationKey, messageIDs: [String], state: ConversationState?,
                unanswered: [UnansweredQuestion] = [], outboxKey: String? = nil, answeredThread: String? = nil,
                completedAt: Date) {
        self.conversation = conversation
        self.messageIDs = messageIDs
        self.state = state
        self.unanswered = unanswered
        self.outboxKey = outboxKey
        self.answeredThread = answeredThread
        self.completedAt = completedAt
    }
}

/// A reply recorded before it is sent (the outbox). An entry still present at start was in
/// flight when the bot stopped: the runtime resolves it when its messages come back.
public struct OutboxEntry: Sendable, Equatable {
    public var conversation: ConversationKey
    /// The reply's ``OutgoingReply/idempotencyKey``.
    public var key: String
    /// The messages the reply answers.
    public var messageIDs: [String]
    public var createdAt: Date

    public init(conversation: ConversationKey, key: String, messageIDs: [String], createdAt: Date) {
        self.conversation = conversation
        self.key = key
        self.messageIDs = messageIDs
        self.createdAt = createdAt
    }
}

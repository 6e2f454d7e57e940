import Foundation
import RingBotCore

/// One answered turn, ready to be stored once its reply has been delivered:
/// the conversation's new state, the message id to remember as handled and,
/// if the bot could not answer, the question for the unanswered log.
public struct CompletedTurn: Sendable, Equatable {
    public var conversation: ConversationKey
    public var messageID: String
    public var state: ConversationState
    public var unanswered: UnansweredQuestion?
    public var completedAt: Date

    public init(conversation: ConversationKey, messageID: String, state: ConversationState,
                unanswered: UnansweredQuestion?, completedAt: Date) {
        self.conversation = conversation
        self.messageID = messageID
        self.state = state
        self.unanswered = unanswered
        self.completedAt = completedAt
    }
}

/// Where the runtime keeps conversations between messages (and restarts).
///
/// Calls are synchronous and short (a local database); implementations must be
/// safe to call from any thread.
public protocol ConversationStore: Sendable {
    /// The stored state of a conversation, or `nil` for a new one.
    func conversationState(for key: ConversationKey) throws -> ConversationState?
    /// Stores a turn atomically: the new state, the handled message id and the
    /// unanswered question if any. Called only after the reply was delivered, so
    /// a crash before it replays the turn from the old state (same reply).
    func commit(_ turn: CompletedTurn) throws
    /// Whether a message id was already committed.
    func isHandled(messageID: String) throws -> Bool
    /// The pseudonymizer for sender ids (its salt belongs to the store).
    func senderPseudonymizer() throws -> SenderPseudonymizer
}

/// A ``ConversationStore`` in memory, for tests and the local chat.
public final class InMemoryConversationStore: ConversationStore, @unchecked Sendable {
    // @unchecked: every access to the mutable fields holds `lock`.
    private let lock = NSLock()
    private var states: [ConversationKey: ConversationState] = [:]
    private var handled: Set<String> = []
    private var questions: [UnansweredQuestion] = []

    public init() {}

    public func conversationState(for key: ConversationKey) throws -> ConversationState? {
        lock.withLock { states[key] }
    }

    public func commit(_ turn: CompletedTurn) throws {
        lock.withLock {
            states[turn.conversation] = turn.state
            handled.insert(turn.messageID)
            if let question = turn.unanswered { questions.append(question) }
        }
    }

    public func isHandled(messageID: String) throws -> Bool {
        lock.withLock { handled.contains(messageID) }
    }

    public func senderPseudonymizer() throws -> SenderPseudonymizer {
        SenderPseudonymizer(salt: "in-memory")
    }

    /// The unanswered questions committed so far, oldest first.
    public var unansweredQuestions: [UnansweredQuestion] {
        lock.withLock { questions }
    }
}

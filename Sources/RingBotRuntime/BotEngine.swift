import Foundation
import Logging
import RingBotCore

/// Turns incoming messages into replies: loads the conversation, asks the
/// assistant, and (once the connector has delivered the reply) stores the new state.
///
/// Answering is split in two so that connectors can deliver a reply before
/// anything is stored: ``prepare(_:)`` computes, ``commit(_:)`` persists. A crash
/// in between replays the turn from the old state, which yields the same reply.
public actor BotEngine {
    /// What the connector should do with a message.
    public enum Outcome: Sendable, Equatable {
        /// Send `reply`, then ``BotEngine/commit(_:)`` `turn`.
        case reply(Reply, CompletedTurn)
        /// Flood control: send this short notice once, store nothing.
        case slowDown(String)
        /// Ignore the message (flood cool-down or already handled).
        case ignore
    }

    /// The notice sent when a user floods a conversation.
    public static let slowDownText =
        "You are sending messages faster than I can answer them. I will pause for a moment; please ask again in a minute."

    private let assistants: AssistantBox
    private let store: any ConversationStore
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private var flood: FloodControl
    private var pseudonymizer: SenderPseudonymizer?

    /// - Parameters:
    ///   - clock: the time source; injected so tests control it.
    public init(assistants: AssistantBox, store: any ConversationStore,
                flood: FloodControlSettings = FloodControlSettings(),
                clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.assistants = assistants
        self.store = store
        self.flood = FloodControl(settings: flood)
        self.clock = clock
        self.logger = logger
    }

    /// The assistant's context-free verdict on `text` (for "answer only when confident" rooms).
    public nonisolated func classify(_ text: String) -> Classification {
        assistants.current.classify(text)
    }

    /// The confidence from which the knowledge says the bot should answer.
    public nonisolated var answerThreshold: Double {
        assistants.current.knowledge.settings.answerThreshold
    }

    /// Decides what to answer to `message` without storing anything.
    public func prepare(_ message: IncomingMessage) throws -> Outcome {
        if try store.isHandled(messageID: message.messageID) { return .ignore }
        let now = clock()
        switch flood.admit(message.conversation, at: now) {
        case .ignore:
            logger.debug("flood cool-down: ignoring a message", metadata: ["room": "\(message.conversation.room)"])
            return .ignore
        case .warn:
            logger.info("flood control: asking a user to slow down", metadata: ["room": "\(message.conversation.room)"])
            return .slowDown(Self.slowDownText)
        case .allow:
            break
        }
        let assistant = assistants.current
        var state = try store.conversationState(for: message.conversation) ?? ConversationState()
        let reply = assistant.respond(to: message.text, state: &state, now: now)
        var unanswered: UnansweredQuestion?
        if !reply.answered {
            unanswered = UnansweredQuestion(
                text: message.text, askedAt: now,
                senderHash: try senderPseudonymizer().pseudonym(for: message.sender),
                bestGuess: reply.bestGuess?.intent ?? reply.intent,
                confidence: reply.bestGuess?.confidence ?? reply.confidence)
        }
        let turn = CompletedTurn(conversation: message.conversation, messageID: message.messageID,
                                 state: state, unanswered: unanswered, completedAt: now)
        return .reply(reply, turn)
    }

    /// Stores a turn whose reply has been delivered.
    public func commit(_ turn: CompletedTurn) throws {
        try store.commit(turn)
    }

    /// ``prepare(_:)`` and ``commit(_:)`` in one, for connectors that deliver nothing before storing.
    public func answer(_ message: IncomingMessage) throws -> Outcome {
        let outcome = try prepare(message)
        if case .reply(_, let turn) = outcome { try commit(turn) }
        return outcome
    }

    private func senderPseudonymizer() throws -> SenderPseudonymizer {
        if let pseudonymizer { return pseudonymizer }
        let made = try store.senderPseudonymizer()
        pseudonymizer = made
        return made
    }
}

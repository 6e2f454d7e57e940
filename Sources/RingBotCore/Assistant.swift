import Foundation

/// The core's front door: built once from the knowledge, then asked to classify
/// single messages or to answer the next turn of a conversation.
/// Pure and thread-safe: it holds no mutable state; the caller keeps each
/// conversation's ``ConversationState``.
public struct Assistant: Sendable {
    public let knowledge: KnowledgeBase
    let matcher: IntentMatcher
    let dialogue: Dialogue

    /// Builds the matcher from `knowledge`. Fast (a few milliseconds).
    public init(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning()) {
        self.knowledge = knowledge
        self.matcher = IntentMatcher(knowledge: knowledge, tuning: tuning)
        self.dialogue = Dialogue(knowledge: knowledge, matcher: matcher)
    }

    /// Classifies one message with no dialogue context.
    public func classify(_ text: String) -> Classification {
        matcher.classify(text)
    }

    /// The analyser's view of `text` (terms, platform, cues), for explaining a match.
    public func analyze(_ text: String) -> MessageAnalysis {
        matcher.analyzer.analyze(text)
    }

    /// Answers the next user turn of a conversation, updating `state`.
    /// - Parameter now: the current time, for idle expiry (the core reads no clock).
    public func respond(to text: String, state: inout ConversationState, now: Date) -> Reply {
        dialogue.respond(to: text, state: &state, now: now)
    }
}

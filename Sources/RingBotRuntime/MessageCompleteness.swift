import Foundation
import RingBotCore

/// Whether a chat message is a question on its own, or a fragment ("so", "my whatsapp",
/// "calls") that should wait for the rest. Decided from what the assistant makes of it,
/// never from timing.
public enum MessageCompleteness {
    /// Roles whose confident match is a complete message.
    static let completeRoles: Set<IntentRole> = [.topic, .greeting, .thanks, .help, .goodbye, .handoff]

    /// Messages with more words than this are complete whatever they say: fragments are short,
    /// and a burst of distinct questions must get one answer each.
    public static let fragmentMaxWords = 4

    /// `true` when `text` should be answered at once: it ends with `?` or has more than
    /// ``fragmentMaxWords`` words; its context-free classification is a confident topic,
    /// greeting, thanks, help, goodbye or hand-off; or the dialogue, in the conversation's
    /// current `state`, would answer it (a platform, "it did not help", a choice).
    /// Nothing is stored: the dialogue runs on a copy of the state.
    public static func isComplete(_ text: String, assistant: Assistant, state: ConversationState?, now: Date) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasSuffix("?") { return true }
        if trimmed.split(whereSeparator: \.isWhitespace).count > fragmentMaxWords { return true }
        let classification = assistant.classify(trimmed)
        if classification.confidence >= assistant.knowledge.settings.answerThreshold,
           let role = assistant.knowledge.intents.first(where: { $0.id == classification.intent })?.role,
           completeRoles.contains(role) {
            return true
        }
        var copy = state ?? ConversationState()
        return assistant.respond(to: trimmed, state: &copy, now: now).answered
    }
}

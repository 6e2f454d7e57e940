import Foundation
import RingBotCore

/// Whether a chat message is a question on its own, or a fragment ("hey", "so", "my
/// whatsapp") that should wait for the rest. Decided from the assistant's context-free
/// classification and the conversation's state; never from timing.
public enum MessageCompleteness {
    /// Roles whose confident match is a complete message.
    static let completeRoles: Set<IntentRole> = [.topic, .greeting, .thanks, .help, .goodbye, .handoff]

    /// `true` when `text` should be answered at once: a confident topic, greeting, thanks,
    /// help, goodbye or hand-off; a message ending with `?`; a platform or a choice while the
    /// bot is discussing a topic or waiting for the user to pick one.
    public static func isComplete(_ text: String, assistant: Assistant, state: ConversationState?) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasSuffix("?") { return true }
        let classification = assistant.classify(trimmed)
        if let state {
            if !state.pendingChoice.isEmpty { return true }
            if state.topic != nil && classification.platform != nil { return true }
        }
        guard classification.confidence >= assistant.knowledge.settings.answerThreshold,
              let role = assistant.knowledge.intents.first(where: { $0.id == classification.intent })?.role
        else { return false }
        return completeRoles.contains(role)
    }
}

import RingBotCore
import Synchronization

/// Holds the current ``RingBotCore/Assistant`` so it can be swapped (e.g. on SIGHUP,
/// after reloading the knowledge) between two messages without stopping the bot.
public final class AssistantBox: Sendable {
    private let assistant: Mutex<Assistant>

    public init(_ assistant: Assistant) {
        self.assistant = Mutex(assistant)
    }

    /// The assistant to use for the next message.
    public var current: Assistant {
        assistant.withLock { $0 }
    }

    /// Replaces the assistant; messages already being answered finish with the old one.
    public func replace(with newAssistant: Assistant) {
        assistant.withLock { $0 = newAssistant }
    }
}

import Foundation
import RingBotCore

/// Holds the current ``RingBotCore/Assistant`` so it can be swapped (e.g. on SIGHUP,
/// after reloading the knowledge) between two messages without stopping the bot.
public final class AssistantBox: @unchecked Sendable {
    // @unchecked: `assistant` is only read or written while holding `lock`;
    // `Assistant` itself is an immutable Sendable value.
    private let lock = NSLock()
    private var assistant: Assistant

    public init(_ assistant: Assistant) {
        self.assistant = assistant
    }

    /// The assistant to use for the next message.
    public var current: Assistant {
        lock.withLock { assistant }
    }

    /// Replaces the assistant; messages already being answered finish with the old one.
    public func replace(with newAssistant: Assistant) {
        lock.withLock { assistant = newAssistant }
    }
}

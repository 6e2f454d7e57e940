import InMemoryLogging
import Logging

/// Captures log lines in memory (swift-log's `InMemoryLogHandler`), to check what is and
/// is not logged. Each line reads `level message key=value ...` (keys sorted).
public struct LogCapture: Sendable {
    private let handler: InMemoryLogHandler

    public init() {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        self.handler = handler
    }

    /// A logger writing here, at trace level.
    public var logger: Logger {
        let handler = self.handler
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far.
    public var all: [String] {
        handler.entries.map { entry in
            let fields = entry.metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            return "\(entry.level) \(entry.message)\(fields)"
        }
    }

    /// The lines containing `text`.
    public func lines(containing text: String) -> [String] {
        all.filter { $0.contains(text) }
    }
}

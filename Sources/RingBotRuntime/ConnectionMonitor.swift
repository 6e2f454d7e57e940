import Logging
import Synchronization

/// Remembers whether the platform's server is reachable and logs only the changes:
/// one "connection lost, retrying" when requests start failing, one
/// "connection restored" when one succeeds again.
public final class ConnectionMonitor: Sendable {
    private let lost = Mutex(false)
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Whether the last request failed for a network or server reason.
    public var isLost: Bool { lost.withLock { $0 } }

    /// Records a transport failure or 5xx answer; logs only the first of a series.
    public func failed(reason: String) {
        let changed = lost.withLock { value in
            defer { value = true }
            return !value
        }
        if changed { logger.warning("connection lost, retrying", metadata: ["reason": "\(reason)"]) }
    }

    /// Records a successful exchange; logs if the connection had been lost.
    public func succeeded() {
        let changed = lost.withLock { value in
            defer { value = false }
            return value
        }
        if changed { logger.notice("connection restored") }
    }
}

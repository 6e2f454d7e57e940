import Foundation
import Logging

/// Remembers whether the homeserver is reachable and logs only the changes:
/// one "connection lost, retrying" when requests start failing, one
/// "connection restored" when one succeeds again.
public final class ConnectionMonitor: @unchecked Sendable {
    // @unchecked: `lost` is only accessed while holding `lock`.
    private let lock = NSLock()
    private var lost = false
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Whether the last request failed for a network or server reason.
    public var isLost: Bool { lock.withLock { lost } }

    /// Records a transport failure or 5xx answer; logs only the first of a series.
    public func failed(reason: String) {
        let changed = lock.withLock { () -> Bool in
            defer { lost = true }
            return !lost
        }
        if changed { logger.warning("connection lost, retrying", metadata: ["reason": "\(reason)"]) }
    }

    /// Records a successful exchange; logs if the connection had been lost.
    public func succeeded() {
        let changed = lock.withLock { () -> Bool in
            defer { lost = false }
            return lost
        }
        if changed { logger.notice("connection restored") }
    }
}

import CCurl
import Foundation

/// The one piece of a transfer shared across threads: lets the awaiting task's
/// cancellation handler stop a transfer running on its own thread.
///
/// `cancel()` sets a flag and wakes the transfer's multi handle from `curl_multi_poll`,
/// so a long-poll stops at once rather than at its next timeout. The multi handle is
/// attached and detached under the same lock, so it is never woken after cleanup.
final class TransferCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var multi: UnsafeMutableRawPointer?

    var isCancelled: Bool { lock.withLock { cancelled } }

    func cancel() {
        lock.withLock {
            cancelled = true
            if let multi { _ = curl_multi_wakeup(multi) }
        }
    }

    /// Registers the multi handle to wake; returns false if already cancelled.
    func attach(_ multi: UnsafeMutableRawPointer) -> Bool {
        lock.withLock {
            self.multi = multi
            return !cancelled
        }
    }

    /// Unregisters the multi handle; call before `curl_multi_cleanup`.
    func detach() {
        lock.withLock { multi = nil }
    }
}

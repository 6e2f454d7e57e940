import Foundation

/// A stop request, visible from any thread, that also cancels the sync in flight.
final class StopSignal: @unchecked Sendable {
    // @unchecked: every field is only accessed while holding `lock`.
    private let lock = NSLock()
    private var requested = false
    private var current: Task<Void, Never>?
    private var cancelCurrent: (@Sendable () -> Void)?

    var isRequested: Bool { lock.withLock { requested } }

    func request() {
        let cancel = lock.withLock { () -> (@Sendable () -> Void)? in
            requested = true
            return cancelCurrent
        }
        cancel?()
    }

    /// Runs `operation`, abandoning it (throwing `CancellationError`) as soon as a stop is requested.
    func cancellingOnStop<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await abandoningOnCancel(operation) }
        let alreadyRequested = lock.withLock { () -> Bool in
            cancelCurrent = { task.cancel() }
            return requested
        }
        if alreadyRequested { task.cancel() }
        defer { lock.withLock { cancelCurrent = nil } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }
}

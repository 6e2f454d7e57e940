import Synchronization

/// A stop request, visible from any thread, that abandons the waits registered with it
/// (a long poll, a back-off sleep) at once.
public final class StopSignal: Sendable {
    private struct State {
        var requested = false
        var next = 0
        var cancellers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Requests the stop and abandons every registered wait. Safe from any thread.
    public func request() {
        let cancellers = state.withLock { state -> [@Sendable () -> Void] in
            state.requested = true
            defer { state.cancellers = [:] }
            return Array(state.cancellers.values)
        }
        for cancel in cancellers { cancel() }
    }

    /// Runs `operation`, abandoning it (throwing `CancellationError`) as soon as a stop is
    /// requested, even if the operation does not react to cancellation quickly.
    public func cancellingOnStop<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await abandoningOnCancel(operation) }
        let (alreadyRequested, token) = state.withLock { state -> (Bool, Int) in
            let token = state.next
            state.next += 1
            if !state.requested { state.cancellers[token] = { task.cancel() } }
            return (state.requested, token)
        }
        if alreadyRequested { task.cancel() }
        defer { _ = state.withLock { $0.cancellers.removeValue(forKey: token) } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Runs `operation` to its end, unless a stop was requested more than `grace` ago:
    /// then it is abandoned (throwing `CancellationError`). For a reply in flight.
    public func finishing<T: Sendable>(within grace: Duration,
                                       _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await abandoningOnCancel(operation) }
        let cancelLater: @Sendable () -> Void = {
            Task {
                try? await Task.sleep(for: grace)
                task.cancel()
            }
        }
        let (alreadyRequested, token) = state.withLock { state -> (Bool, Int) in
            let token = state.next
            state.next += 1
            if !state.requested { state.cancellers[token] = cancelLater }
            return (state.requested, token)
        }
        if alreadyRequested { cancelLater() }
        defer { _ = state.withLock { $0.cancellers.removeValue(forKey: token) } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Sleeps for `duration`, returning early (throwing `CancellationError`) on a stop.
    public func sleep(for duration: Duration) async throws {
        try await cancellingOnStop { try await Task.sleep(for: duration) }
    }
}

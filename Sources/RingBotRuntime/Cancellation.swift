import Synchronization

/// Runs `operation` in its own task and returns its result, but gives up at once
/// (throwing `CancellationError`) when the calling task is cancelled, even if the
/// operation does not react to cancellation quickly. The abandoned operation is
/// cancelled too and its result discarded.
public func abandoningOnCancel<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            gate.install(continuation)
            let task = Task {
                do { gate.resume(with: .success(try await operation())) } catch { gate.resume(with: .failure(error)) }
            }
            gate.attach(task)
        }
    } onCancel: {
        gate.cancel()
    }
}

/// A continuation resumed exactly once, by the result or by cancellation, whichever comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var task: Task<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = state.withLock { state in
            if state.cancelled { return .failure(CancellationError()) }
            if let pending = state.pending { return pending }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    func attach(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func resume(with result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = state.withLock { state in
            if let continuation = state.continuation {
                state.continuation = nil
                return continuation
            }
            if state.pending == nil && !state.cancelled { state.pending = result }
            return nil
        }
        waiting?.resume(with: result)
    }

    func cancel() {
        let (waiting, task) = state.withLock { state in
            state.cancelled = true
            let waiting = state.continuation
            state.continuation = nil
            return (waiting, state.task)
        }
        task?.cancel()
        waiting?.resume(throwing: CancellationError())
    }
}

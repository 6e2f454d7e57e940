import Foundation

/// Runs `operation` in its own task and returns its result, but gives up at once
/// (throwing `CancellationError`) when the calling task is cancelled, even if the
/// operation does not react to cancellation quickly. The abandoned operation is
/// cancelled too and its result discarded.
func abandoningOnCancel<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
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
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    // @unchecked: every field is only accessed while holding `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var task: Task<Void, Never>?
    private var cancelled = false

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = lock.withLock {
            if cancelled { return .failure(CancellationError()) }
            if let pending { return pending }
            self.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    func attach(_ task: Task<Void, Never>) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if cancelNow { task.cancel() }
    }

    func resume(with result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = lock.withLock {
            if let continuation {
                self.continuation = nil
                return continuation
            }
            if pending == nil && !cancelled { pending = result }
            return nil
        }
        waiting?.resume(with: result)
    }

    func cancel() {
        let (waiting, task): (CheckedContinuation<T, any Error>?, Task<Void, Never>?) = lock.withLock {
            cancelled = true
            let waiting = continuation
            continuation = nil
            return (waiting, self.task)
        }
        task?.cancel()
        waiting?.resume(throwing: CancellationError())
    }
}

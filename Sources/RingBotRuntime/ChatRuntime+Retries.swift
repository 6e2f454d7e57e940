/// Retries: transient failures are retried with back-off, logged once per change of state;
/// a stop abandons the wait at once.
extension ChatRuntime {
    /// Runs `operation`, retrying transient failures with back-off until it succeeds, a stop
    /// is requested, or (`attempts` given) it failed that many times: then it throws a
    /// permanent error naming the last failure.
    /// With `abandonOnStop` false (a reply being sent), an attempt in progress is not
    /// abandoned by a stop (the caller bounds it); a back-off wait always is.
    func retrying<T: Sendable>(_ purpose: String, attempts: Int?, abandonOnStop: Bool = true,
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        var failures = 0
        while true {
            if stop.isRequested { throw CancellationError() }
            do {
                let value = abandonOnStop ? try await stop.cancellingOnStop(operation) : try await operation()
                monitor.succeeded()
                return value
            } catch let error as ChatPlatformError {
                guard case .transient(let retryAfter) = error.kind else { throw error }
                failures += 1
                if let attempts, failures >= attempts {
                    throw ChatPlatformError.permanent("\(error.description) (gave up after \(failures) tries at the first start; check the settings)")
                }
                monitor.failed(reason: "\(purpose): \(error.description)")
                var delay = settings.backoff.delay(attempt: failures - 1, random: { Double.random(in: 0...1) })
                if let retryAfter, retryAfter > delay { delay = retryAfter }
                try await stop.sleep(for: delay)
            }
        }
    }
}

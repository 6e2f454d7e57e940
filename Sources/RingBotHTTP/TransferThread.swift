import Foundation

/// Runs blocking work on a dedicated thread and bridges the result back to async code.
///
/// libcurl transfers block for as long as the exchange takes (a Matrix long-poll waits
/// 30 s), so they must never run on Swift's cooperative pool, which has only one thread
/// per core. One short-lived thread per transfer keeps any number of long-polls from
/// starving other tasks; the threads mostly sleep in `poll`.
enum TransferThread {
    /// Stack size for transfer threads: libcurl needs little, and many may be alive.
    static let stackSize = 512 * 1024

    static func run<T: Sendable>(
        name: String = "ringbot-http",
        _ work: @escaping @Sendable () -> Result<T, any Error>
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: work())
            }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
    }
}

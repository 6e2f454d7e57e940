import Foundation

/// Runs `work` on a thread of its own and awaits its result, so that a long computation
/// (compiling the knowledge, cross-validation, reading a message with the sentence encoder)
/// never occupies Swift's cooperative thread pool.
public func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

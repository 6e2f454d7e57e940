import Foundation
import Testing
import RingBotRuntime

@Suite struct CancellationTests {
    @Test func returnsTheOperationsResult() async throws {
        #expect(try await abandoningOnCancel { 42 } == 42)
    }

    @Test func givesUpEvenIfTheOperationIgnoresCancellation() async throws {
        // The operation waits for a gate that only the test (or a 30 s watchdog) opens:
        // it stands for a transfer that does not react to cancellation.
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let watchdog = Task.detached { try? await Task.sleep(for: .seconds(30)); opener.finish() }
        let task = Task {
            try await abandoningOnCancel {
                // Detached: not cancelled with its caller.
                await Task.detached { for await _ in gate {} }.value
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        opener.finish()
        watchdog.cancel()
    }

    @Test func aStopRequestCancelsTheSyncInFlight() async throws {
        let stop = StopSignal()
        let task = Task { try await stop.cancellingOnStop { try await Task.sleep(for: .seconds(30)); return 1 } }
        try await Task.sleep(for: .milliseconds(50))
        stop.request()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(stop.isRequested)
    }
}

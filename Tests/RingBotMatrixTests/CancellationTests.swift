import Foundation
import Testing
@testable import RingBotMatrix

@Suite struct CancellationTests {
    @Test func returnsTheOperationsResult() async throws {
        #expect(try await abandoningOnCancel { 42 } == 42)
    }

    @Test func givesUpAtOnceEvenIfTheOperationIgnoresCancellation() async throws {
        let started = ContinuousClock.now
        let task = Task {
            try await abandoningOnCancel {
                // Not cancelled with its caller: stands for a transfer that does not react.
                await Task.detached { try? await Task.sleep(for: .seconds(5)) }.value
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(2))
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

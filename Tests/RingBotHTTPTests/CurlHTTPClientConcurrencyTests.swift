import Foundation
import Testing
@testable import RingBotHTTP

/// Cancellation and many transfers in flight.
@Suite struct CurlHTTPClientConcurrencyTests {
    let client = CurlHTTPClient()

    @Test func cancellingAnInFlightRequestThrowsCancellationPromptly() async throws {
        let server = try TestServer.get()
        let id = UUID().uuidString
        let task = Task {
            try await client.send(HTTPRequest(url: server.url("/slow?ms=20000&arrived=\(id)"), timeout: .seconds(60)))
        }
        // Wait until the server has the request, so the transfer is really in flight.
        let arrived = try await client.send(HTTPRequest(url: server.url("/wait-arrived?id=\(id)")))
        #expect(arrived.status == 200)

        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // The server would answer after 20 s; cancellation must not wait for that.
        #expect(clock.now - start < .seconds(5))
    }

    @Test func alreadyCancelledTaskThrowsCancellationWithoutSending() async throws {
        let server = try TestServer.get()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.url("/ok")))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func twentyConcurrentSlowRequestsAllSucceedInParallel() async throws {
        let server = try TestServer.get()
        let clock = ContinuousClock()
        let start = clock.now
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(url: server.url("/tag?tag=r\(index)&ms=1000")))
                    #expect(response.status == 200)
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            var bodies: [Int: String] = [:]
            for try await (index, body) in group { bodies[index] = body }
            return bodies
        }
        #expect(bodies.count == 20)
        for index in 0..<20 { #expect(bodies[index] == "r\(index)") }
        // Each takes 1 s on the server; run one after another they would take 20 s.
        #expect(clock.now - start < .seconds(10))
    }
}

import Foundation
import Testing
@testable import RingBotHTTP

/// Cancellation and many transfers in flight.
@Suite struct CurlHTTPClientConcurrencyTests {
    let client = CurlHTTPClient()

    @Test func cancellingAnInFlightRequestThrowsCancellationPromptly() async throws {
        let server = try TestServer.get()
        let id = UUID().uuidString
        // Generous bounds, none of them asserted: with the whole suite running on 2 cores, blocking
        // tests can hold the cooperative pool for tens of seconds before the task below starts.
        let task = Task {
            try await client.send(HTTPRequest(url: server.url("/slow?ms=600000&arrived=\(id)"), timeout: .seconds(900)))
        }
        // Wait until the server has the request, so the transfer is really in flight.
        let arrived = try await client.send(HTTPRequest(url: server.url("/wait-arrived?id=\(id)&s=600"),
                                                        timeout: .seconds(660)))
        #expect(arrived.status == 200)

        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // The server answers after 600 s: if the client had waited for that answer, the
        // request would be done by now. It must still be running: the transfer was aborted.
        let state = try await client.send(HTTPRequest(url: server.url("/slow-state?id=\(id)")))
        #expect(String(decoding: state.body, as: UTF8.self) == "running")
    }

    @Test func alreadyCancelledTaskThrowsCancellationWithoutSending() async throws {
        let server = try TestServer.get()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.url("/ok")))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func twentyConcurrentRequestsAreInFlightAtOnce() async throws {
        let server = try TestServer.get()
        // The server answers none of them until all 20 are inside it at the same time
        // (504 otherwise), so this proves parallel transfers without timing anything.
        let group = UUID().uuidString
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { tasks in
            for index in 0..<20 {
                tasks.addTask {
                    let request = HTTPRequest(url: server.url("/barrier?group=\(group)&n=20&tag=r\(index)"),
                                              timeout: .seconds(90))
                    let response = try await client.send(request)
                    #expect(response.status == 200, "request \(index) was alone in the server")
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            var bodies: [Int: String] = [:]
            for try await (index, body) in tasks { bodies[index] = body }
            return bodies
        }
        #expect(bodies.count == 20)
        for index in 0..<20 { #expect(bodies[index] == "r\(index)") }
    }
}

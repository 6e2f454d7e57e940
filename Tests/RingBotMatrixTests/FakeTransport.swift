import Foundation
import Logging
import RingBotHTTP
import Synchronization
@testable import RingBotMatrix

/// An ``HTTPTransport`` that answers from a closure and records every request.
final class FakeTransport: HTTPTransport, Sendable {
    private let recorded = Mutex<[HTTPRequest]>([])
    private let handler: @Sendable (HTTPRequest, Int) async throws -> HTTPResponse

    /// `handler` gets each request and its index (0 for the first).
    init(_ handler: @escaping @Sendable (HTTPRequest, Int) async throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = recorded.withLock { recorded -> Int in
            recorded.append(request)
            return recorded.count - 1
        }
        return try await handler(request, index)
    }
}

struct FakeNetworkError: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, body: value.encoded())
}

/// Records the waits instead of sleeping.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])
    var all: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}

import Foundation
import Logging
import RingBotHTTP
@testable import RingBotMatrix

/// An ``HTTPTransport`` that answers from a closure and records every request.
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `requests` and `handler` are only accessed while holding `lock`.
    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []
    private let handler: @Sendable (HTTPRequest, Int) async throws -> HTTPResponse

    /// `handler` gets each request and its index (0 for the first).
    init(_ handler: @escaping @Sendable (HTTPRequest, Int) async throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { lock.withLock { recorded } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = lock.withLock { () -> Int in
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

/// Records log lines, to check what is (and is not) logged.
final class LogRecorder: @unchecked Sendable {
    // @unchecked: `lines` is only accessed while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            recorder.append("\(event.level) \(event.message)\(fields)")
        }
    }
}

/// Records the waits instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    // @unchecked: `waits` is only accessed while holding `lock`.
    private let lock = NSLock()
    private var waits: [Duration] = []
    var all: [Duration] { lock.withLock { waits } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.lock.withLock { self.waits.append(duration) } }
    }
}

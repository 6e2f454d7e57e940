import Foundation
import Logging
import Testing
import RingBotTestSupport
@testable import RingBotHTTP

@Suite struct LoggingTests {
    @Test func logsMethodAndPathButNoSecrets() async throws {
        let server = try TestServer.get()
        let capture = LogCapture()
        let client = CurlHTTPClient(logger: capture.logger)
        let request = HTTPRequest(
            method: .put,
            url: server.url("/echo?access_token=SECRETQUERY"),
            headers: [(name: "Authorization", value: "Bearer SECRETHEADER")],
            body: Array("SECRETBODY".utf8)
        )
        _ = try await client.send(request)
        let records = capture.all
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.hasPrefix("debug ") })
        #expect(records.allSatisfy { $0.contains("http.method=PUT") && $0.contains("http.path=/echo") })
        #expect(records.contains { $0.contains("http.status=200") })
        #expect(!records.contains { $0.contains("SECRET") || $0.contains("access_token") || $0.contains("127.0.0.1") })
    }

    @Test func logsFailuresByKind() async throws {
        let server = try TestServer.get()
        let capture = LogCapture()
        let client = CurlHTTPClient(logger: capture.logger)
        _ = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.closedPort)/down?access_token=SECRET"))
        #expect(capture.all.contains { $0.contains("http.error=connectFailed") && $0.contains("http.path=/down") })
        #expect(!capture.all.contains { $0.contains("SECRET") })
    }
}

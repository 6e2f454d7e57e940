import Foundation
import Testing
@testable import RingBotHTTP

/// Transport failures map to the right ``HTTPError``.
@Suite struct CurlHTTPClientFailureTests {
    let client = CurlHTTPClient()

    @Test func slowResponseBeyondTheTimeoutThrowsTimedOut() async throws {
        let server = try TestServer.get()
        let request = HTTPRequest(url: server.url("/slow?ms=10000"), timeout: .milliseconds(300))
        await #expect(throws: HTTPError.timedOut) { try await client.send(request) }
    }

    @Test func announcedOversizedBodyThrowsResponseTooLarge() async throws {
        let server = try TestServer.get()
        let small = CurlHTTPClient(configuration: .init(maxResponseBytes: 1000))
        await #expect(throws: HTTPError.responseTooLarge) {
            try await small.send(HTTPRequest(url: server.url("/large?bytes=1001")))
        }
    }

    @Test func unannouncedOversizedBodyThrowsResponseTooLarge() async throws {
        let server = try TestServer.get()
        let small = CurlHTTPClient(configuration: .init(maxResponseBytes: 1000))
        await #expect(throws: HTTPError.responseTooLarge) {
            try await small.send(HTTPRequest(url: server.url("/large-unsized?bytes=200000")))
        }
    }

    @Test func truncatedBodyThrowsInsteadOfReturningPartialData() async throws {
        let server = try TestServer.get()
        await #expect(throws: HTTPError.truncated) {
            try await client.send(HTTPRequest(url: server.url("/truncated")))
        }
    }

    @Test func refusedConnectionThrowsConnectFailed() async throws {
        let server = try TestServer.get()
        await #expect(throws: HTTPError.connectFailed) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.closedPort)/ok"))
        }
    }

    @Test func untrustedCertificateThrowsTLS() async throws {
        let server = try TestServer.get()
        await #expect(throws: HTTPError.tls) {
            try await client.send(HTTPRequest(url: server.tlsURL("/ok")))
        }
    }

    @Test func tlsToAPlainHTTPServerThrowsTLS() async throws {
        let server = try TestServer.get()
        await #expect(throws: HTTPError.tls) {
            try await client.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/ok"))
        }
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "not a url", ""])
    func nonHTTPURLThrowsInvalidURL(url: String) async throws {
        await #expect(throws: HTTPError.invalidURL) { try await client.send(HTTPRequest(url: url)) }
    }

    @Test func headerWithLineBreakThrowsInvalidRequest() async throws {
        let server = try TestServer.get()
        let request = HTTPRequest(url: server.url("/ok"), headers: [(name: "X-Evil", value: "a\r\nInjected: yes")])
        let error = await #expect(throws: HTTPError.invalidRequest) { try await client.send(request) }
        #expect(error?.description.contains("Injected") == false)
    }

    @Test func errorDescriptionOmitsTokensFromQueryAndHeaders() async throws {
        let server = try TestServer.get()
        let request = HTTPRequest(
            method: .post,
            url: "http://127.0.0.1:\(server.closedPort)/_matrix/client/v3/sync?access_token=SECRETQUERY&since=s1",
            headers: [(name: "Authorization", value: "Bearer SECRETHEADER")],
            body: Array("{\"password\":\"SECRETBODY\"}".utf8)
        )
        let error = await #expect(throws: HTTPError.connectFailed) { try await client.send(request) }
        let text = try #require(error).description
        #expect(text.contains("POST http://127.0.0.1:\(server.closedPort)/_matrix/client/v3/sync"))
        for secret in ["SECRET", "access_token", "since=", "Bearer"] {
            #expect(!text.contains(secret), "description leaks \(secret): \(text)")
        }
    }

    @Test func timeoutDescriptionOmitsTheQueryString() async throws {
        let server = try TestServer.get()
        let request = HTTPRequest(url: server.url("/slow?ms=5000&access_token=SECRETQUERY"), timeout: .milliseconds(200))
        let error = await #expect(throws: HTTPError.timedOut) { try await client.send(request) }
        let text = try #require(error).description
        #expect(text.contains("/slow"))
        #expect(!text.contains("SECRETQUERY"))
    }
}

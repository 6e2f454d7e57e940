import Foundation
import Testing
@testable import RingBotHTTP

/// Successful exchanges against the local fixture server.
@Suite struct CurlHTTPClientTests {
    let client = CurlHTTPClient()

    @Test func returnsStatusBodyAndLowercasedHeaders() async throws {
        let server = try TestServer.get()
        let response = try await client.send(HTTPRequest(url: server.url("/ok")))
        #expect(response.status == 200)
        #expect(response.body == Array("hello".utf8))
        #expect(response.headers["x-test"] == "yes")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers["X-Test"] == nil)
    }

    @Test(arguments: [404, 500, 503])
    func passesErrorStatusesThrough(status: Int) async throws {
        let server = try TestServer.get()
        let response = try await client.send(HTTPRequest(url: server.url("/status/\(status)")))
        #expect(response.status == status)
        #expect(response.body == Array("status \(status)".utf8))
    }

    @Test func parsesRetryAfterOfA429() async throws {
        let server = try TestServer.get()
        let response = try await client.send(HTTPRequest(url: server.url("/retry")))
        #expect(response.status == 429)
        #expect(response.retryAfter == .seconds(3))
    }

    @Test func returnsARedirectInsteadOfFollowingIt() async throws {
        let server = try TestServer.get()
        let response = try await client.send(HTTPRequest(url: server.url("/redirect")))
        #expect(response.status == 302)
        #expect(response.headers["location"] == "/ok")
        #expect(response.body == Array("moved".utf8))
    }

    @Test(arguments: [HTTPRequest.Method.post, .put, .delete])
    func sendsMethodAndBinaryBody(method: HTTPRequest.Method) async throws {
        let server = try TestServer.get()
        let body = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }  // includes NUL bytes
        let response = try await client.send(HTTPRequest(method: method, url: server.url("/echo"), body: body))
        #expect(response.status == 200)
        #expect(response.headers["x-method"] == method.rawValue)
        #expect(response.body == body)
    }

    @Test(arguments: [HTTPRequest.Method.post, .put])
    func sendsAnEmptyBodyWhenNoneIsGiven(method: HTTPRequest.Method) async throws {
        let server = try TestServer.get()
        let response = try await client.send(HTTPRequest(method: method, url: server.url("/echo")))
        #expect(response.status == 200)
        #expect(response.headers["x-method"] == method.rawValue)
        #expect(response.body.isEmpty)
    }

    @Test func sendsRequestHeadersAndUserAgent() async throws {
        let server = try TestServer.get()
        let request = HTTPRequest(url: server.url("/headers"), headers: [
            (name: "X-Custom", value: "some value"),
            (name: "Authorization", value: "Bearer abc"),
        ])
        let lines = String(decoding: try await client.send(request).body, as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.contains("x-custom: some value"))
        #expect(lines.contains("authorization: Bearer abc"))
        #expect(lines.contains("user-agent: RingBot/0.1"))
        #expect(!lines.contains { $0.hasPrefix("expect:") })
    }

    @Test func usesTheConfiguredUserAgent() async throws {
        let server = try TestServer.get()
        let custom = CurlHTTPClient(configuration: .init(userAgent: "Probe/9"))
        let body = String(decoding: try await custom.send(HTTPRequest(url: server.url("/headers"))).body, as: UTF8.self)
        #expect(body.contains("user-agent: Probe/9\n"))
    }

    @Test func acceptsABodyOfExactlyTheLimit() async throws {
        let server = try TestServer.get()
        let small = CurlHTTPClient(configuration: .init(maxResponseBytes: 1000))
        let response = try await small.send(HTTPRequest(url: server.url("/large?bytes=1000")))
        #expect(response.body.count == 1000)
    }

    @Test func trustsAServerSignedByTheConfiguredCA() async throws {
        let server = try TestServer.get()
        let caPath = TestServer.fixtures.appendingPathComponent("test_cert.pem").path
        let trusting = CurlHTTPClient(configuration: .init(caBundlePath: caPath))
        let response = try await trusting.send(HTTPRequest(url: server.tlsURL("/ok")))
        #expect(response.status == 200)
        #expect(response.body == Array("hello".utf8))
    }
}

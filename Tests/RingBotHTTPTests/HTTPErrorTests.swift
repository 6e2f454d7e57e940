import Testing
@testable import RingBotHTTP

@Suite struct HTTPErrorTests {
    @Test func urlLosesQueryUserInfoAndFragment() {
        let error = HTTPError(.timedOut, method: "GET", url: "https://bot:hunter2@matrix.example:8448/_matrix/x?access_token=T0KEN#frag")
        #expect(error.url == "https://matrix.example:8448/_matrix/x")
        #expect(!error.description.contains("T0KEN"))
        #expect(!error.description.contains("hunter2"))
        #expect(error.description.contains("GET https://matrix.example:8448/_matrix/x"))
    }

    @Test func equalityComparesTheKindOnly() {
        #expect(HTTPError(.tls, url: "https://a/", detail: "x") == .tls)
        #expect(HTTPError(.tls) != .timedOut)
    }

    @Test(arguments: [
        (HTTPError.invalidURL, "invalid URL"), (.invalidRequest, "could not be sent"),
        (.connectFailed, "could not connect"), (.timedOut, "timed out"), (.tls, "TLS"),
        (.responseTooLarge, "larger than"), (.truncated, "ended before"), (.transport, "failed"),
    ])
    func descriptionsSayWhatHappened(error: HTTPError, phrase: String) {
        #expect(error.description.contains(phrase))
    }

    @Test func transientKinds() {
        #expect(HTTPError.timedOut.isTransient)
        #expect(HTTPError.connectFailed.isTransient)
        #expect(!HTTPError.tls.isTransient)
        #expect(!HTTPError.responseTooLarge.isTransient)
    }

    @Test(arguments: [
        ("https://h/a/b?x=1", "/a/b"), ("https://h", "/"), ("https://h?q", "/"), ("http://u@h:1/p#f", "/p"),
    ])
    func logPathIsThePathOnly(url: String, path: String) {
        #expect(RedactedURL.path(url) == path)
    }
}

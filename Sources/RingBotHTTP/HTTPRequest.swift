/// An HTTP request as the client sends it. A value type: build it, hand it to an
/// ``HTTPTransport``, reuse it for a retry.
public struct HTTPRequest: Sendable, Equatable {
    /// The HTTP methods RingBot uses.
    public enum Method: String, Sendable, Equatable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    public var method: Method
    /// Absolute URL, `http://` or `https://`.
    public var url: String
    /// Header fields in order. Names are sent as given.
    public var headers: [(name: String, value: String)]
    /// The body bytes, or `nil` for none.
    public var body: [UInt8]?
    /// Time allowed to connect (TCP + TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange, including a long-poll wait.
    public var timeout: Duration

    public init(
        method: Method = .get,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
            && lhs.connectTimeout == rhs.connectTimeout && lhs.timeout == rhs.timeout
    }
}

/// An HTTP response: status, headers and the (size-capped) body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields with lower-cased names; a repeated field keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The `Retry-After` header as a duration (delta-seconds or an HTTP date), if present and valid.
    public var retryAfter: Duration? { RetryAfter.parse(headers["retry-after"]) }
}

/// Anything that can exchange an ``HTTPRequest`` for an ``HTTPResponse``.
/// The libcurl client is the real one; tests may supply others.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response of any status. Throws ``HTTPError``
    /// for transport failures (connect, timeout, TLS, oversized body, ...).
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A transport failure: the exchange did not produce a usable ``HTTPResponse``.
///
/// Compare against the static members, e.g. `error == .timedOut`, or `switch` over them;
/// two errors are equal when they are of the same kind, whatever their URL and detail.
///
/// The ``description`` names the method and the URL *without* its query string, user
/// info or fragment, and never contains request headers or bodies: those carry access
/// tokens, and error messages end up in logs.
public struct HTTPError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    enum Code: String, Sendable, Hashable {
        case invalidURL, invalidRequest, connectFailed, timedOut, tls
        case responseTooLarge, truncated, transport
    }

    let code: Code
    /// The request method, e.g. `GET`, or nil when not known.
    public let method: String?
    /// The request URL with query string, user info and fragment removed; nil when not known.
    public let url: String?
    /// A short technical explanation (typically libcurl's message), already free of secrets.
    public let detail: String?

    init(_ code: Code, method: String? = nil, url: String? = nil, detail: String? = nil) {
        self.code = code
        self.method = method
        self.url = url.map(RedactedURL.display)
        self.detail = detail.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL is malformed or not `http`/`https`.
    public static let invalidURL = HTTPError(.invalidURL)
    /// The request itself cannot be sent, e.g. a header contains a line break.
    public static let invalidRequest = HTTPError(.invalidRequest)
    /// The host could not be resolved or refused / did not accept the connection.
    public static let connectFailed = HTTPError(.connectFailed)
    /// The connect timeout or the whole-request timeout elapsed.
    public static let timedOut = HTTPError(.timedOut)
    /// The TLS handshake failed, including certificate verification.
    public static let tls = HTTPError(.tls)
    /// The response body exceeded the client's `maxResponseBytes`.
    public static let responseTooLarge = HTTPError(.responseTooLarge)
    /// The connection closed before the whole response arrived.
    public static let truncated = HTTPError(.truncated)
    /// Any other network or protocol failure.
    public static let transport = HTTPError(.transport)

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Whether retrying the same request later may succeed.
    public var isTransient: Bool {
        switch code {
        case .connectFailed, .timedOut, .truncated, .transport: true
        case .invalidURL, .invalidRequest, .tls, .responseTooLarge: false
        }
    }

    public var description: String {
        let target = [method, url].compactMap { $0 }.joined(separator: " ")
        let subject = target.isEmpty ? "HTTP request" : "HTTP request \(target)"
        let what: String
        let advice: String
        switch code {
        case .invalidURL:
            what = "\(subject) has an invalid URL"
            advice = "Check the configured server address: it must be an absolute http:// or https:// URL."
        case .invalidRequest:
            what = "\(subject) could not be sent"
            advice = "A header name or value contains a line break or other invalid character."
        case .connectFailed:
            what = "\(subject) could not connect to the server"
            advice = "Check the server address, that the server is running, and the network or DNS."
        case .timedOut:
            what = "\(subject) timed out"
            advice = "The server or network is slow or unreachable; retry later, or raise the timeout if the server needs longer."
        case .tls:
            what = "\(subject) failed the TLS handshake"
            advice = "Check that the server has a valid certificate for its host name, or configure the CA file that signed it."
        case .responseTooLarge:
            what = "\(subject) returned a response larger than the allowed maximum"
            advice = "Raise maxResponseBytes if such responses are expected."
        case .truncated:
            what = "\(subject) ended before the whole response arrived"
            advice = "The connection was closed early, often by a proxy or a restarting server; retry later."
        case .transport:
            what = "\(subject) failed"
            advice = "A network or protocol error occurred; retry later."
        }
        if let detail {
            return "\(what) (\(detail)). \(advice)"
        }
        return "\(what). \(advice)"
    }
}

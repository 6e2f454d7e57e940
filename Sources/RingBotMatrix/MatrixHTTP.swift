import Foundation
import Logging
import RingBotHTTP
import RingBotRuntime

/// Sends Client-Server API requests and keeps retrying until the server gives a
/// real answer:
/// - 429 / `M_LIMIT_EXCEEDED`: waits `retry_after_ms` (or `Retry-After`), then
///   sends the very same request again;
/// - transport failures, 5xx and unusable 2xx answers (not JSON, or without the key
///   the caller requires): exponential back-off with jitter, capped (see
///   ``BackoffPolicy``), logged once per change of state by a ``ConnectionMonitor``;
/// - any other status: throws ``MatrixError``.
///
/// With `maxFailures` set (as ``MatrixPlatform`` does: the runtime owns retries), a
/// transport failure, 5xx or unusable answer is retried only that many times and then
/// thrown as a transient ``RingBotRuntime/ChatPlatformError``; a TLS failure or an
/// invalid URL is thrown at once as a permanent one.
///
/// Every wait is a cancellable `Task.sleep` (injected for tests), so a cancelled
/// task stops retrying at once. The access token travels only in the
/// `Authorization` header and is never logged.
public struct MatrixHTTP: Sendable {
    public let baseURL: String
    let transport: any HTTPTransport
    let policy: BackoffPolicy
    let monitor: ConnectionMonitor
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let random: @Sendable () -> Double
    /// Failures (transport, 5xx, unusable 2xx) retried before throwing; `nil`: retry forever.
    let maxFailures: Int?

    public init(baseURL: String, transport: any HTTPTransport, logger: Logger,
                policy: BackoffPolicy = BackoffPolicy(),
                monitor: ConnectionMonitor? = nil, maxFailures: Int? = nil,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.transport = transport
        self.policy = policy
        self.monitor = monitor ?? ConnectionMonitor(logger: logger)
        self.logger = logger
        self.sleep = sleep
        self.random = random
        self.maxFailures = maxFailures
    }

    /// Gives up (when ``maxFailures`` is set and reached) or waits before the next try.
    private func failed(_ failures: Int, reason: String) async throws {
        if let maxFailures, failures >= maxFailures {
            throw ChatPlatformError.transient(reason)
        }
        monitor.failed(reason: reason)
        try await sleep(policy.delay(attempt: failures, random: random))
    }

    /// Sends a request and returns the JSON body of the 2xx answer.
    /// - Parameters:
    ///   - path: the already-encoded path, e.g. `/_matrix/client/v3/sync` (build it with ``MatrixPath``).
    ///   - query: unencoded name/value pairs.
    ///   - purpose: what the request is for, used in errors and logs.
    ///   - requiredKey: a key every 2xx answer must have (e.g. `next_batch`); an answer without it,
    ///     like one that is not JSON, counts as a server failure and is retried with back-off.
    public func send(_ method: HTTPRequest.Method, _ path: String, query: [(String, String)] = [],
                     body: JSONValue? = nil, accessToken: String? = nil,
                     timeout: Duration = .seconds(30), purpose: String,
                     requiring requiredKey: String? = nil) async throws -> JSONValue {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(MatrixPath.encode($0.0))=\(MatrixPath.encode($0.1))" }.joined(separator: "&")
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let accessToken { headers.append(("Authorization", "Bearer \(accessToken)")) }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body?.encoded(),
                                  connectTimeout: .seconds(10), timeout: timeout)
        var failures = 0
        while true {
            try Task.checkCancellation()
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as CancellationError {
                throw error
            } catch let error as HTTPError where !error.isTransient || Self.isTLSStall(error) {
                try Task.checkCancellation()
                throw ChatPlatformError.permanent(Self.explain(error, baseURL: baseURL))
            } catch {
                try Task.checkCancellation()
                try await failed(failures, reason: "\(purpose): \(Self.explain(error, baseURL: baseURL))")
                failures += 1
                continue
            }
            if response.status >= 500 {
                try await failed(failures, reason: "\(purpose): HTTP \(response.status) from the server at \(baseURL)")
                failures += 1
                continue
            }
            let json = try? JSONValue.parse(response.body)
            if (200..<300).contains(response.status), let problem = Self.unusable(json, requiring: requiredKey) {
                // A broken server or proxy (an HTML page, a cut or foreign answer): retried like a
                // 5xx, never taken as success (a reply would be lost) nor as fatal (the bot would stop).
                try await failed(failures, reason: "HTTP \(response.status) with \(problem) to \(purpose) from \(baseURL)")
                failures += 1
                continue
            }
            monitor.succeeded()
            failures = 0
            if response.status == 429 || json?["errcode"]?.stringValue == "M_LIMIT_EXCEEDED" {
                let wait = Self.rateLimitWait(json: json, response: response)
                logger.info("rate limited by the server, waiting", metadata: [
                    "purpose": "\(purpose)", "wait_ms": "\(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)",
                ])
                try await sleep(wait)
                continue
            }
            if (200..<300).contains(response.status), let json {
                return json
            }
            throw MatrixError(status: response.status, errcode: json?["errcode"]?.stringValue,
                              message: json?["error"]?.stringValue ?? "", purpose: purpose)
        }
    }

    /// A TLS handshake that got no answer: the server speaks plain HTTP on that port (it waits
    /// for a request line that never comes). Retrying cannot help.
    static func isTLSStall(_ error: HTTPError) -> Bool {
        error == .timedOut && (error.detail?.contains("SSL") ?? false)
    }

    /// A transport failure in the operator's terms (what to check), on one line.
    static func explain(_ error: any Error, baseURL: String) -> String {
        guard let http = error as? HTTPError else { return "\(error)" }
        let detail = http.detail.map { " (\($0))" } ?? ""
        switch http {
        case .tls:
            return "the TLS handshake with \(baseURL) failed\(detail); if the homeserver speaks plain HTTP on that port use http://, else check its certificate"
        case .connectFailed:
            return "cannot connect to \(baseURL)\(detail); check the homeserver address and port, and that the server is running"
        case .timedOut where isTLSStall(http):
            return "the TLS handshake with \(baseURL) got no answer\(detail): the port probably speaks plain HTTP; use http:// for it, or the homeserver's HTTPS port"
        case .timedOut where baseURL.lowercased().hasPrefix("https://"):
            return "no answer from \(baseURL) in time\(detail); check the address and port (a plain-HTTP port does not answer https://), or the network"
        case .timedOut:
            return "no answer from \(baseURL) in time\(detail); check the address and port, or the network"
        case .invalidURL:
            return "the homeserver address \(baseURL) is not a valid URL; set RINGBOT_MATRIX_HOMESERVER to a base URL like https://matrix.example.org"
        default:
            return "\(http)"
        }
    }

    /// What is wrong with a 2xx answer, or `nil` when it can be used.
    static func unusable(_ json: JSONValue?, requiring key: String?) -> String? {
        guard let json else { return "an answer that is not JSON" }
        guard json.objectValue != nil else { return "an answer that is not a JSON object" }
        if let key, json[key] == nil { return "no `\(key)` in the answer" }
        return nil
    }

    /// How long a 429 asks us to wait: the body's `retry_after_ms`, else `Retry-After`, else one second.
    static func rateLimitWait(json: JSONValue?, response: HTTPResponse) -> Duration {
        if let milliseconds = json?["retry_after_ms"]?.intValue, milliseconds >= 0 {
            return .milliseconds(milliseconds)
        }
        return response.retryAfter ?? .seconds(1)
    }
}

/// Percent-encoding for path segments and query parts: everything but RFC 3986
/// unreserved characters is encoded, so `!room:server` becomes `%21room%3Aserver`.
public enum MatrixPath {
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func encode(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    /// `/_matrix/client/v3/` followed by the segments, each encoded.
    public static func client(_ segments: String...) -> String {
        "/_matrix/client/v3/" + segments.map(encode).joined(separator: "/")
    }
}

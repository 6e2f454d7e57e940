import Logging

/// The real ``HTTPTransport``: libcurl on dedicated threads.
///
/// - Every request uses a fresh libcurl handle on its own thread, so blocking network
///   waits (including 30 s long-polls, many at once) never occupy Swift's cooperative pool.
/// - Redirects are never followed: a 3xx comes back as the response.
/// - TLS peers and host names are always verified.
/// - Cancelling the awaiting task aborts the transfer at once and throws `CancellationError`.
/// - Failures throw ``HTTPError``; any HTTP status, including 4xx/5xx, is a response.
public struct CurlHTTPClient: HTTPTransport {
    /// Client-wide settings.
    public struct Configuration: Sendable, Equatable {
        /// The largest response body accepted; larger ones throw ``HTTPError/responseTooLarge``.
        public var maxResponseBytes: Int
        /// The `User-Agent` header sent with every request.
        public var userAgent: String
        /// A PEM file of CA certificates to trust instead of the system store, if set.
        public var caBundlePath: String?
        /// TLS certificates and host names are always verified; there is no switch to turn it off.
        public var verifiesTLS: Bool { true }

        public init(maxResponseBytes: Int = 16 * 1024 * 1024, userAgent: String = "RingBot/0.1", caBundlePath: String? = nil) {
            self.maxResponseBytes = max(0, maxResponseBytes)
            self.userAgent = userAgent
            self.caBundlePath = caBundlePath
        }
    }

    public let configuration: Configuration
    private let logger: Logger?

    /// Creates a client. `logger` receives debug lines with the method and URL path only:
    /// never headers, query strings or bodies.
    public init(configuration: Configuration = Configuration(), logger: Logger? = nil) {
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let method = request.method.rawValue
        let path = RedactedURL.path(request.url)
        logger?.debug("HTTP request", metadata: ["http.method": "\(method)", "http.path": "\(path)"])
        let started = ContinuousClock.now
        let cancellation = TransferCancellation()
        let transfer = CurlTransfer(request: request, configuration: configuration, cancellation: cancellation)
        do {
            let response = try await withTaskCancellationHandler {
                try await TransferThread.run { transfer.run() }
            } onCancel: {
                cancellation.cancel()
            }
            logger?.debug("HTTP response", metadata: [
                "http.method": "\(method)", "http.path": "\(path)",
                "http.status": "\(response.status)", "http.elapsed": "\(ContinuousClock.now - started)",
            ])
            return response
        } catch {
            let outcome = (error as? HTTPError)?.code.rawValue ?? (error is CancellationError ? "cancelled" : "error")
            logger?.debug("HTTP request failed", metadata: [
                "http.method": "\(method)", "http.path": "\(path)", "http.error": "\(outcome)",
            ])
            throw error
        }
    }
}

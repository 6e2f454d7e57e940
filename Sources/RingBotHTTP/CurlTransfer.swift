import CCurl
import Foundation

/// One blocking HTTP exchange with libcurl, run on a transfer thread.
///
/// Each transfer gets its own easy handle inside its own multi handle; the multi loop
/// (`curl_multi_perform` + `curl_multi_poll`) lets ``TransferCancellation`` interrupt a
/// waiting transfer immediately via `curl_multi_wakeup`.
struct CurlTransfer {
    let request: HTTPRequest
    let configuration: CurlHTTPClient.Configuration
    let cancellation: TransferCancellation

    /// Performs the exchange. Blocks the calling thread until done, failed or cancelled.
    func run() -> Result<HTTPResponse, any Error> {
        do {
            return .success(try perform())
        } catch {
            return .failure(error)
        }
    }

    private func perform() throws -> HTTPResponse {
        let accumulator = ResponseAccumulator(maxBodyBytes: configuration.maxResponseBytes)
        let easy = try CurlEasyHandle()
        try configure(easy, accumulator: accumulator)
        let code = try withExtendedLifetime(accumulator) { try drive(easy) }
        guard code == CURLE_OK else {
            throw error(for: code, easy: easy, accumulator: accumulator)
        }
        return HTTPResponse(status: easy.responseCode, headers: accumulator.headers, body: accumulator.body)
    }

    // MARK: Options

    private func configure(_ easy: CurlEasyHandle, accumulator: ResponseAccumulator) throws {
        let lowerURL = request.url.lowercased()
        guard lowerURL.hasPrefix("http://") || lowerURL.hasPrefix("https://") else {
            throw failure(.invalidURL, detail: "only http:// and https:// URLs are supported")
        }
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)  // a redirect comes back as the 3xx response
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caPath = configuration.caBundlePath {
            try easy.set(CURLOPT_CAINFO, caPath)
        }
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try easy.set(CURLOPT_ACCEPT_ENCODING, "")  // whatever libcurl can decode
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        // Refuse early when the server announces an oversized body.
        try easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(configuration.maxResponseBytes))

        switch request.method {
        case .get:
            try easy.set(CURLOPT_HTTPGET, 1)
            if let body = request.body {
                try easy.setBody(body)
                try easy.set(CURLOPT_CUSTOMREQUEST, "GET")
            }
        case .post:
            try easy.setBody(request.body ?? [])
        case .put, .delete:
            if let body = request.body {
                try easy.setBody(body)
            } else if request.method == .put {
                try easy.setBody([])  // sends Content-Length: 0 instead of no length at all
            }
            try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        try easy.setHeaderLines(try headerLines())

        let userdata = Unmanaged.passUnretained(accumulator).toOpaque()
        try easy.set(CURLOPT_WRITEFUNCTION, callback: Self.writeCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: userdata)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: Self.headerCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: userdata)
    }

    private func headerLines() throws(HTTPError) -> [String] {
        var lines: [String] = []
        for (name, value) in request.headers {
            let badName = name.isEmpty || name.utf8.contains { $0 <= 32 || $0 == 127 || $0 == UInt8(ascii: ":") }
            let badValue = value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
            guard !badName, !badValue else {
                // Names may be shown; values may be secrets and never are.
                throw failure(.invalidRequest, detail: badName ? "invalid header name" : "invalid value for header \(name)")
            }
            // "Name;" is libcurl's spelling of a header with an empty value.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip for large bodies.
        if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            lines.append("Expect:")
        }
        return lines
    }

    /// Clamps a duration to libcurl milliseconds; at least 1, since 0 means "no timeout".
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return Int.max }
        return max(1, Int(ms.partialValue) + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
    }

    // MARK: Driving

    /// Runs the transfer to completion in a private multi handle; returns its result code.
    private func drive(_ easy: CurlEasyHandle) throws -> CURLcode {
        guard let multi = curl_multi_init() else {
            throw failure(.transport, detail: "curl_multi_init failed")
        }
        defer { curl_multi_cleanup(multi) }
        guard curl_multi_add_handle(multi, easy.raw) == CURLM_OK else {
            throw failure(.transport, detail: "curl_multi_add_handle failed")
        }
        defer { curl_multi_remove_handle(multi, easy.raw) }
        guard cancellation.attach(multi) else { throw CancellationError() }
        defer { cancellation.detach() }

        var running: Int32 = 0
        var status = curl_multi_perform(multi, &running)
        while status == CURLM_OK, running > 0, !cancellation.isCancelled {
            status = curl_multi_poll(multi, nil, 0, 1000, nil)
            guard status == CURLM_OK else { break }
            status = curl_multi_perform(multi, &running)
        }
        if cancellation.isCancelled { throw CancellationError() }
        guard status == CURLM_OK else {
            throw failure(.transport, detail: String(cString: curl_multi_strerror(status)))
        }
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            if message.pointee.msg == CURLMSG_DONE {
                return message.pointee.data.result
            }
        }
        throw failure(.transport, detail: "libcurl reported no result")
    }

    // MARK: Errors

    private func error(for code: CURLcode, easy: CurlEasyHandle, accumulator: ResponseAccumulator) -> HTTPError {
        let detail = easy.errorMessage.isEmpty ? CurlCode.message(code) : easy.errorMessage
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return failure(.timedOut, detail: detail)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return failure(.connectFailed, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED:
            return failure(.tls, detail: detail)
        case CURLE_FILESIZE_EXCEEDED:
            return failure(.responseTooLarge, detail: "limit is \(configuration.maxResponseBytes) bytes")
        case CURLE_WRITE_ERROR where accumulator.exceededLimit:
            return failure(.responseTooLarge, detail: "limit is \(configuration.maxResponseBytes) bytes")
        case CURLE_PARTIAL_FILE:
            return failure(.truncated, detail: detail)
        case CURLE_RECV_ERROR where accumulator.sawStatusLine:
            return failure(.truncated, detail: detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return failure(.invalidURL, detail: detail)
        default:
            return failure(.transport, detail: detail)
        }
    }

    /// An error about this request. libcurl's text is scrubbed of the query string, in
    /// case a message ever quotes the URL.
    private func failure(_ code: HTTPError.Code, detail: String) -> HTTPError {
        var detail = detail
        if let query = RedactedURL.query(request.url), !query.isEmpty {
            detail = detail.replacingOccurrences(of: String(query), with: "…")
        }
        return HTTPError(code, method: request.method.rawValue, url: request.url, detail: detail)
    }

    // MARK: C callbacks

    private static let writeCallback: ringbot_curl_data_callback = { data, size, count, userdata in
        guard let userdata else { return 0 }
        let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue()
        let total = size * count
        guard total > 0, let data else { return total }
        return accumulator.appendBody(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
    }

    private static let headerCallback: ringbot_curl_data_callback = { data, size, count, userdata in
        guard let userdata else { return 0 }
        let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(userdata).takeUnretainedValue()
        let total = size * count
        guard total > 0, let data else { return total }
        accumulator.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: total))
        return total
    }
}

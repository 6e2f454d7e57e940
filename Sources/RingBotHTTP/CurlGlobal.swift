import CCurl

/// Process-wide libcurl initialisation, done exactly once.
enum CurlGlobal {
    /// The result of `curl_global_init`. A `static let` is initialised lazily and
    /// thread-safely (`swift_once`), so concurrent first requests cannot race.
    private static let initResult: CURLcode = ringbot_curl_global_init()

    /// Initialises libcurl if needed; throws when that failed.
    static func ensureInitialized() throws(HTTPError) {
        guard initResult == CURLE_OK else {
            throw HTTPError(.transport, detail: "libcurl could not be initialised: \(CurlCode.message(initResult))")
        }
    }
}

/// Small helpers for `CURLcode` values.
enum CurlCode {
    /// libcurl's static description of `code`.
    static func message(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "error \(code.rawValue)" }
        return String(cString: text)
    }
}

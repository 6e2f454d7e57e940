import CCurl
import Foundation

/// Owns one libcurl easy handle and everything libcurl keeps pointers to while it is in
/// use: the header list and the error buffer. `deinit` releases all of it, so every
/// exit path (success, error, throw) cleans up.
///
/// Not thread-safe: used by one transfer thread only.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(HTTPError) {
        try CurlGlobal.ensureInitialized()
        guard let raw = curl_easy_init() else {
            throw HTTPError(.transport, detail: "curl_easy_init failed")
        }
        self.raw = raw
        let size = Int(CURL_ERROR_SIZE) + 1
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        _ = ringbot_curl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    deinit {
        // The handle first: it may still refer to the list and the buffer.
        curl_easy_cleanup(raw)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// libcurl's detailed message for the last failure, or "" if none.
    var errorMessage: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(ringbot_curl_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        // libcurl copies string options (since 7.17), so a temporary C string is fine.
        try check(value.withCString { ringbot_curl_setopt_string(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(HTTPError) {
        try check(ringbot_curl_setopt_off_t(raw, option, curl_off_t(value)), option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HTTPError) {
        try check(ringbot_curl_setopt_pointer(raw, option, value), option)
    }

    func set(_ option: CURLoption, callback: ringbot_curl_data_callback) throws(HTTPError) {
        try check(ringbot_curl_setopt_data_callback(raw, option, callback), option)
    }

    /// Sets the request body; libcurl copies the bytes (CURLOPT_COPYPOSTFIELDS), so the
    /// array need not outlive this call.
    func setBody(_ body: [UInt8]) throws(HTTPError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
        var bytes = body
        if bytes.isEmpty { bytes = [0] }  // a valid pointer; the size above is what counts
        let code = bytes.withUnsafeMutableBytes { ringbot_curl_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        try check(code, CURLOPT_COPYPOSTFIELDS)
    }

    /// Replaces the request header list (`Name: value` lines), kept alive by this handle.
    func setHeaderLines(_ lines: [String]) throws(HTTPError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw HTTPError(.transport, detail: "out of memory building the header list")
            }
            list = appended
        }
        try check(ringbot_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
    }

    /// The last response's status code (0 if none arrived).
    var responseCode: Int {
        var code = 0
        _ = ringbot_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(.transport, detail: "libcurl rejected option \(option.rawValue): \(CurlCode.message(code))")
        }
    }
}

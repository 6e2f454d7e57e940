/// Collects one response as libcurl delivers it: header lines and body chunks.
///
/// Only the transfer thread touches it, from libcurl's callbacks and afterwards; it is
/// handed to libcurl as an unretained pointer, so its owner must keep it alive until
/// the easy handle is done.
final class ResponseAccumulator {
    /// The largest body accepted; one more byte aborts the transfer.
    let maxBodyBytes: Int
    private(set) var body: [UInt8] = []
    /// Header fields of the latest response, lower-cased names; the last repeat wins.
    private(set) var headers: [String: String] = [:]
    /// Set when the body went over ``maxBodyBytes`` and the transfer was aborted.
    private(set) var exceededLimit = false
    /// Whether any status line arrived (distinguishes "no response" from "cut short").
    private(set) var sawStatusLine = false
    private var lastHeaderName: String?

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Appends a body chunk. Returns false (abort) once the limit would be exceeded.
    func appendBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard chunk.count <= maxBodyBytes - body.count else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// Takes one raw header line (with its CRLF). A status line starts a new response,
    /// e.g. after `100 Continue`, so earlier headers are dropped.
    func appendHeaderLine(_ raw: UnsafeRawBufferPointer) {
        // Trim the line ending on bytes: as Characters, "\r\n" is a single grapheme.
        var end = raw.endIndex
        while end > raw.startIndex, raw[end - 1] == UInt8(ascii: "\r") || raw[end - 1] == UInt8(ascii: "\n") {
            end -= 1
        }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: raw[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            lastHeaderName = nil
            sawStatusLine = true
            return
        }
        guard !line.isEmpty else { return }
        if let first = line.first, first == " " || first == "\t" {
            // Obsolete line folding: continues the previous field's value.
            if let name = lastHeaderName {
                headers[name, default: ""] += " " + line.trimmingSpaces()
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingSpaces().lowercased()
        guard !name.isEmpty else { return }
        headers[name] = line[line.index(after: colon)...].trimmingSpaces()
        lastHeaderName = name
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

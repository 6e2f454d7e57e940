import CCrypto

/// SHA-256 through OpenSSL's libcrypto (already on the machine for libcurl).
/// Used to pseudonymise senders in the unanswered-questions log, to derive
/// deterministic transaction ids, and for the compiled matcher's cache key.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        let input = Array(bytes)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = input.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { target in
                EVP_Digest(source.baseAddress, source.count, target.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        precondition(ok == 1 && length == 32, "OpenSSL's SHA-256 failed; the libcrypto installation is broken")
        return Array(output.prefix(32))
    }

    /// The digest of the UTF-8 bytes of `text`, as 64 lower-case hex digits.
    public static func hex(_ text: String) -> String {
        hex(bytes: text.utf8)
    }

    /// The digest of `bytes`, as 64 lower-case hex digits.
    public static func hex<Bytes: Collection<UInt8>>(bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest(bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// FNV-1a, 64 bits: a cheap, stable name for a file's bytes (not a security hash).
enum FNV1a {
    /// The hash of `bytes` as 16 lowercase hex digits.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// FNV-1a, 64 bits: a cheap, stable name for a file's bytes (not a security hash).
enum FNV1a {
    /// The hash of `bytes`, continuing from `hash` (the offset basis by default).
    static func hash(_ bytes: UnsafeRawBufferPointer, continuing hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    /// The hash of `bytes` as 16 lowercase hex digits.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let hex = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bf16 words of every packed dense layer, in one read-only block: either a memory-mapped
/// cache file or memory packed by this process. Frees it with the object.
final class PackedWordBuffer: @unchecked Sendable {
    /// The words; immutable for the object's whole life.
    let words: UnsafeBufferPointer<UInt32>
    private let release: () -> Void

    private init(words: UnsafeBufferPointer<UInt32>, release: @escaping () -> Void) {
        self.words = words
        self.release = release
    }

    deinit { release() }

    /// `count` words filled by `fill` (which must write every one) in memory of its own, 64-byte aligned.
    static func packed(count: Int, _ fill: (UnsafeMutablePointer<UInt32>) -> Void) -> PackedWordBuffer {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        let words = raw.bindMemory(to: UInt32.self, capacity: max(count, 1))
        fill(words)
        return PackedWordBuffer(words: UnsafeBufferPointer(start: words, count: count)) { raw.deallocate() }
    }

    /// A view of `count` words at `offset` bytes into the mapping `base` of `length` bytes,
    /// which the buffer unmaps when freed.
    static func mapped(base: UnsafeMutableRawPointer, length: Int, offset: Int, count: Int) -> PackedWordBuffer {
        let words = (base + offset).bindMemory(to: UInt32.self, capacity: count)
        return PackedWordBuffer(words: UnsafeBufferPointer(start: words, count: count)) { munmap(base, length) }
    }
}

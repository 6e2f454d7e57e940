/// A set of word pieces (as UTF-8) with their ids, answering "the longest piece that starts here".
///
/// WordPiece's greedy rule takes, at each position of a word, the longest vocabulary piece that
/// matches there. The pieces are keys of one open-addressing hash table (linear probing) over
/// the vocabulary's byte buffer: a lookup hashes every prefix of the rest of the word in one
/// pass, then probes from the longest prefix down. Building it is one probe per piece (a few
/// milliseconds for 30,000 pieces), with no `String` and no `Dictionary`.
struct PieceTable: Sendable {
    /// The vocabulary's bytes; a piece is a range of them.
    private let bytes: [UInt8]
    /// Slots: `start << 32 | length << 16 | tag` (the tag: 16 bits of the piece's hash), or 0 when empty.
    private var slots: [UInt64]
    /// The id of the piece in each slot.
    private var ids: [Int32]
    private var mask: Int
    private var count = 0
    /// The longest piece's length in bytes.
    private(set) var longest = 0

    /// An empty table for up to `capacity` pieces that are ranges of `bytes`.
    init(bytes: [UInt8], capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        self.bytes = bytes
        slots = [UInt64](repeating: 0, count: size)
        ids = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// FNV-1a over bytes, then a final mix so that the low bits (the slot) depend on every byte.
    @inline(__always)
    private static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    private static func finish(_ hash: UInt64) -> UInt64 {
        (hash ^ (hash >> 29)) &* 0xbf58_476d_1ce4_e5b9
    }

    /// Adds the piece `bytes[start..<start + length]` (non-empty); a piece added twice keeps the
    /// later id, as the reference does.
    mutating func insert(start: Int, length: Int, id: Int32) {
        precondition(length > 0 && length < 1 << 16 && start < 1 << 32, "piece too long or vocabulary too large")
        if (count + 1) * 2 > slots.count { grow() }
        let hash = bytes.withUnsafeBufferPointer { all in
            var hash = Self.seed
            for index in start..<(start + length) { hash = Self.step(hash, all[index]) }
            return Self.finish(hash)
        }
        let entry = UInt64(start) << 32 | UInt64(length) << 16 | (hash >> 48)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            if sameKey(slots[slot], start: start, length: length) {
                ids[slot] = id
                return
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = entry
        ids[slot] = id
        count += 1
        longest = max(longest, length)
    }

    /// Whether the piece of `entry` has the bytes `bytes[start..<start + length]`.
    private func sameKey(_ entry: UInt64, start: Int, length: Int) -> Bool {
        guard Int(truncatingIfNeeded: entry >> 16) & 0xFFFF == length else { return false }
        let other = Int(truncatingIfNeeded: entry >> 32)
        return bytes.withUnsafeBufferPointer { all in
            (0..<length).allSatisfy { all[other + $0] == all[start + $0] }
        }
    }

    /// Doubles the table and re-inserts every piece.
    private mutating func grow() {
        let oldSlots = slots, oldIDs = ids
        slots = [UInt64](repeating: 0, count: oldSlots.count * 2)
        ids = [Int32](repeating: -1, count: oldSlots.count * 2)
        mask = slots.count - 1
        bytes.withUnsafeBufferPointer { all in
            for (entry, id) in zip(oldSlots, oldIDs) where entry != 0 {
                let start = Int(truncatingIfNeeded: entry >> 32)
                let length = Int(truncatingIfNeeded: entry >> 16) & 0xFFFF
                var hash = Self.seed
                for index in start..<(start + length) { hash = Self.step(hash, all[index]) }
                var slot = Int(truncatingIfNeeded: Self.finish(hash)) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = entry
                ids[slot] = id
            }
        }
    }

    /// The longest piece that `word[start...]` begins with: its id and the index just past it.
    func longestMatch(in word: UnsafeBufferPointer<UInt8>, from start: Int) -> (id: Int32, end: Int)? {
        let span = min(word.count - start, longest)
        guard span > 0 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: span) { hashes in
            var hash = Self.seed
            for k in 0..<span {
                hash = Self.step(hash, word[start + k])
                hashes[k] = Self.finish(hash)
            }
            return bytes.withUnsafeBufferPointer { all in
                for length in stride(from: span, through: 1, by: -1) {
                    let hash = hashes[length - 1]
                    let tag = hash >> 48
                    var slot = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { break }
                        if entry & 0xFFFF == tag, Int(truncatingIfNeeded: entry >> 16) & 0xFFFF == length {
                            let other = Int(truncatingIfNeeded: entry >> 32)
                            if (0..<length).allSatisfy({ all[other + $0] == word[start + $0] }) {
                                return (ids[slot], start + length)
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
                return nil
            }
        }
    }
}

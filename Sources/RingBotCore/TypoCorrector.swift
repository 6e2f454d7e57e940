/// Corrects misspelt words to the nearest word of a known vocabulary
/// (`whatsap` → `whatsapp`, `ringin` → `ringing`, `unavialable` → `unavailable`).
/// Uses a symmetric-deletion index, so a look-up costs a few hash probes
/// instead of a scan of the vocabulary.
public struct TypoCorrector: Sendable {
    /// Words shorter than this are never corrected (too many real words are one edit apart).
    public static let minLength = 5
    /// Words at least this long may be two edits away.
    public static let twoEditLength = 8
    /// Words longer than this are never corrected: no real word is that long, and the
    /// two-edit search costs the cube of the length (a 4,000-letter word took minutes).
    public static let maxLength = 32

    private let vocabulary: [String: Int]  // word → frequency
    private let words: [String]
    /// (hash of a one-deletion variant, index in `words`), sorted by hash: one flat array,
    /// searched by bisection. Hashes, not strings, keep it small; a collision only adds a
    /// candidate, which the distance check rejects.
    private let deletes: [(hash: UInt64, word: Int32)]

    public init(vocabulary: [String: Int]) {
        self.vocabulary = vocabulary
        let words = vocabulary.keys.filter { $0.utf8.count >= Self.minLength - 1 }.sorted()
        var deletes: [(hash: UInt64, word: Int32)] = []
        deletes.reserveCapacity(words.count * 9)
        for (index, word) in words.enumerated() {
            Self.forEachOneDeletion(Array(word.utf8)) { deletes.append((Self.hash($0), Int32(index))) }
        }
        deletes.sort { ($0.hash, $0.word) < ($1.hash, $1.word) }
        self.words = words
        self.deletes = deletes
    }

    private func candidates(deletionHash: UInt64) -> [String] {
        var low = 0, high = deletes.count
        while low < high {
            let middle = (low + high) / 2
            if deletes[middle].hash < deletionHash { low = middle + 1 } else { high = middle }
        }
        var out: [String] = []
        while low < deletes.count && deletes[low].hash == deletionHash {
            out.append(words[Int(deletes[low].word)])
            low += 1
        }
        return out
    }

    /// Whether `word` is in the vocabulary.
    public func knows(_ word: String) -> Bool { vocabulary[word] != nil }

    /// The corrected word, or `word` itself when it is known, short, or nothing is close.
    public func correct(_ word: String) -> String {
        // Stretched spellings ("hii", "heyyy"): squeeze doubled letters when that gives a known word.
        if vocabulary[word] == nil, let squeezed = Self.squeezingDoubles(word), vocabulary[squeezed] != nil {
            return squeezed
        }
        let length = word.utf8.count
        guard length >= Self.minLength, length <= Self.maxLength, vocabulary[word] == nil,
              word.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return word }
        let maxDistance = length >= Self.twoEditLength ? 2 : 1
        var candidates: Set<String> = []
        let bytes = Array(word.utf8)
        candidates.formUnion(self.candidates(deletionHash: Self.hash(bytes[...])))  // an extra letter typed
        var variants: [[UInt8]] = []
        Self.forEachOneDeletion(bytes) { variant in
            variants.append(Array(variant))
            let text = String(decoding: variant, as: UTF8.self)
            if vocabulary[text] != nil { candidates.insert(text) }  // a letter missing
            candidates.formUnion(self.candidates(deletionHash: Self.hash(variant)))  // swapped or replaced
        }
        if maxDistance == 2 && candidates.isEmpty {
            for variant in variants {
                Self.forEachOneDeletion(variant) { second in
                    let text = String(decoding: second, as: UTF8.self)
                    if vocabulary[text] != nil { candidates.insert(text) }
                    candidates.formUnion(self.candidates(deletionHash: Self.hash(second)))
                }
            }
        }
        var best: (word: String, distance: Int, frequency: Int)?
        for candidate in candidates {
            let distance = Self.damerauLevenshtein(word, candidate, limit: maxDistance)
            guard distance <= maxDistance else { continue }
            let frequency = vocabulary[candidate] ?? 0
            if best == nil || distance < best!.distance
                || (distance == best!.distance && (frequency > best!.frequency
                    || (frequency == best!.frequency && candidate < best!.word))) {
                best = (candidate, distance, frequency)
            }
        }
        return best?.word ?? word
    }

    /// `word` with every run of a repeated letter cut to one, or nil when it has none.
    static func squeezingDoubles(_ word: String) -> String? {
        var out: [UInt8] = []
        for byte in word.utf8 where byte != out.last { out.append(byte) }
        return out.count == word.utf8.count ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Calls `body` with each copy of `bytes` missing one byte.
    static func forEachOneDeletion(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        guard bytes.count > 1 else { return }
        var buffer = [UInt8](repeating: 0, count: bytes.count - 1)
        for skip in bytes.indices {
            var k = 0
            for (index, byte) in bytes.enumerated() where index != skip {
                buffer[k] = byte
                k += 1
            }
            body(buffer[...])
        }
    }

    /// FNV-1a, 64-bit: stable across runs (unlike `Hasher`), cheap for short words.
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Optimal-string-alignment distance (adjacent swaps count as one edit), stopping early past `limit`.
    static func damerauLevenshtein(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if abs(a.count - b.count) > limit { return limit + 1 }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...max(1, a.count) where a.count > 0 {
            var rowMin = Int.max
            for j in 1...max(1, b.count) where b.count > 0 {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, d[i - 2][j - 2] + 1)
                }
                d[i][j] = value
                rowMin = min(rowMin, value)
            }
            if rowMin > limit { return limit + 1 }
        }
        return d[a.count][b.count]
    }
}

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
    private let deletes: [String: [String]]  // one-deletion variant → words

    public init(vocabulary: [String: Int]) {
        self.vocabulary = vocabulary
        var deletes: [String: [String]] = [:]
        for word in vocabulary.keys where word.utf8.count >= Self.minLength - 1 {
            for variant in Self.oneDeletions(word) { deletes[variant, default: []].append(word) }
        }
        self.deletes = deletes
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
        if let words = deletes[word] { candidates.formUnion(words) }  // an extra letter typed
        let variants = Self.oneDeletions(word)
        for variant in variants {
            if vocabulary[variant] != nil { candidates.insert(variant) }  // a letter missing
            if let words = deletes[variant] { candidates.formUnion(words) }  // swapped or replaced
        }
        if maxDistance == 2 && candidates.isEmpty {
            for variant in variants {
                for second in Self.oneDeletions(variant) {
                    if vocabulary[second] != nil { candidates.insert(second) }
                    if let words = deletes[second] { candidates.formUnion(words) }
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

    static func oneDeletions(_ word: String) -> [String] {
        let bytes = Array(word.utf8)
        guard bytes.count > 1 else { return [] }
        var out: [String] = []
        out.reserveCapacity(bytes.count)
        for index in bytes.indices {
            var copy = bytes
            copy.remove(at: index)
            out.append(String(decoding: copy, as: UTF8.self))
        }
        return out
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

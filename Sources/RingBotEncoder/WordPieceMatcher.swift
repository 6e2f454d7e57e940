/// The WordPiece step: turns each basic word into vocabulary ids by greedy longest match,
/// `##` pieces after the first, and collects them up to a limit.
struct WordPieceMatcher: BasicTokenSink {
    /// Words of more scalars than this become one [UNK], as in BERT.
    static let maxScalarsPerWord = 100

    private let vocabulary: Vocabulary
    private let limit: Int
    /// The ids so far, at most `limit`.
    private(set) var ids: [Int32] = []
    private var wordIDs: [Int32] = []

    /// - Parameter limit: stop after this many ids (the rest of the text is not even split).
    init(vocabulary: Vocabulary, limit: Int) {
        self.vocabulary = vocabulary
        self.limit = limit
        ids.reserveCapacity(min(limit, 64))
        wordIDs.reserveCapacity(16)
    }

    mutating func takeWord(_ utf8: UnsafeBufferPointer<UInt8>, scalarCount: Int) -> Bool {
        if scalarCount > Self.maxScalarsPerWord {
            ids.append(vocabulary.unknownID)
        } else {
            wordIDs.removeAll(keepingCapacity: true)
            var start = 0
            while start < utf8.count {
                let pieces = start == 0 ? vocabulary.wordStarts : vocabulary.continuations
                guard let match = pieces.longestMatch(in: utf8, from: start) else {
                    // One unmatched stretch makes the whole word [UNK].
                    wordIDs.removeAll(keepingCapacity: true)
                    wordIDs.append(vocabulary.unknownID)
                    break
                }
                wordIDs.append(match.id)
                start = match.end
            }
            ids.append(contentsOf: wordIDs)
        }
        return keepGoing()
    }

    mutating func takeSpecial(_ id: Int32) -> Bool {
        ids.append(id)
        return keepGoing()
    }

    /// Cuts to the limit; false once it is reached.
    private mutating func keepGoing() -> Bool {
        if ids.count >= limit {
            ids.removeLast(ids.count - limit)
            return false
        }
        return true
    }
}

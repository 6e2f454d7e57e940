/// A set of word pieces (as UTF-8) with their ids, answering "the longest piece that starts here".
///
/// WordPiece's greedy rule takes, at each position of a word, the longest vocabulary piece that
/// matches there. Walking a trie finds it in one pass over at most the longest piece's length,
/// with no substrings built and no hashing of strings.
struct PieceTrie: Sendable {
    /// Edges: `node << 8 | byte` to the child node.
    private var children: [UInt32: Int32] = [:]
    /// For each node, the id of the piece ending there, or -1.
    private var pieceIDs: [Int32] = [-1]

    /// Makes room for pieces of `totalBytes` bytes in all, so building allocates once.
    mutating func reserveCapacity(totalBytes: Int) {
        children.reserveCapacity(totalBytes)
        pieceIDs.reserveCapacity(totalBytes + 1)
    }

    /// Adds `piece` (non-empty UTF-8); a piece added twice keeps the later id, as the reference does.
    mutating func insert(_ piece: some Sequence<UInt8>, id: Int32) {
        var node: Int32 = 0
        for byte in piece {
            let key = UInt32(node) << 8 | UInt32(byte)
            if let child = children[key] {
                node = child
            } else {
                precondition(pieceIDs.count < 1 << 24, "vocabulary too large for the piece trie")
                let child = Int32(pieceIDs.count)
                pieceIDs.append(-1)
                children[key] = child
                node = child
            }
        }
        if node != 0 { pieceIDs[Int(node)] = id }
    }

    /// The longest piece that `word[start...]` begins with: its id and the index just past it.
    func longestMatch(in word: UnsafeBufferPointer<UInt8>, from start: Int) -> (id: Int32, end: Int)? {
        var node: Int32 = 0
        var best: (id: Int32, end: Int)?
        var index = start
        while index < word.count, let child = children[UInt32(node) << 8 | UInt32(word[index])] {
            node = child
            index += 1
            let id = pieceIDs[Int(node)]
            if id >= 0 { best = (id, index) }
        }
        return best
    }
}

import Foundation

/// A BERT WordPiece vocabulary: one piece per line of `vocab.txt`, the line number (from 0)
/// being the piece's id; pieces that continue a word start with `##`.
///
/// The pieces stay in one byte buffer (no `String` per piece, no dictionary of every piece):
/// only two hash tables of ranges of it and the handful of special tokens are built, so
/// loading takes a few milliseconds.
struct Vocabulary: Sendable {
    /// The special tokens BERT's tokenizer recognises when they are written literally in a text
    /// (case-sensitive, even inside a word), before any normalisation.
    static let literalSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    /// The special tokens every vocabulary must hold.
    static let requiredSpecialTokens = ["[UNK]", "[CLS]", "[SEP]"]
    /// The prefix of a piece that continues a word.
    static let continuationPrefix = "##"

    /// Every piece's UTF-8, one after the other; piece `id` is `bytes[starts[id]..<ends[id]]`.
    private let bytes: [UInt8]
    private let starts: [Int32]
    private let ends: [Int32]
    /// Pieces that may start a word.
    let wordStarts: PieceTable
    /// Pieces that continue a word, without their `##`.
    let continuations: PieceTable
    let unknownID: Int32
    let classifierID: Int32
    let separatorID: Int32
    /// The literal special tokens present in this vocabulary, as UTF-8, with their ids.
    let literalSpecials: [(utf8: [UInt8], id: Int32)]
    /// The required special tokens (``requiredSpecialTokens``) this vocabulary lacks.
    let missingSpecialTokens: [String]

    /// The number of pieces.
    var count: Int { starts.count }

    /// Piece `id` as text (continuations keep their `##`).
    func token(_ id: Int32) -> String {
        bytes.withUnsafeBufferPointer { all in
            String(decoding: UnsafeBufferPointer(rebasing: all[Int(starts[Int(id)])..<Int(ends[Int(id)])]), as: UTF8.self)
        }
    }

    /// The pieces in id order. Callers check ``missingSpecialTokens`` before tokenizing.
    init(tokens: [String]) {
        var bytes: [UInt8] = []
        var starts: [Int32] = [], ends: [Int32] = []
        starts.reserveCapacity(tokens.count)
        ends.reserveCapacity(tokens.count)
        for token in tokens {
            starts.append(Int32(bytes.count))
            bytes.append(contentsOf: token.utf8)
            ends.append(Int32(bytes.count))
        }
        self.init(bytes: bytes, starts: starts, ends: ends)
    }

    /// Piece `i` is `bytes[starts[i]..<ends[i]]` (valid UTF-8).
    private init(bytes: [UInt8], starts: [Int32], ends: [Int32]) {
        precondition(starts.count < Int(Int32.max) && bytes.count < Int(Int32.max), "vocabulary too large")
        let prefix = Array(Self.continuationPrefix.utf8)
        let specials = Self.literalSpecialTokens.map { Array($0.utf8) }
        var specialIDs = [Int32](repeating: -1, count: specials.count)
        var wordStarts = PieceTable(bytes: bytes, capacity: starts.count)
        var continuations = PieceTable(bytes: bytes, capacity: starts.count / 4)
        bytes.withUnsafeBufferPointer { all in
            for index in starts.indices {
                let id = Int32(index)
                let start = Int(starts[index]), end = Int(ends[index])
                // Bytes, not Characters: in "##ी" the second "#" and the vowel sign are one Character.
                if end - start >= prefix.count, all[start] == prefix[0], all[start + 1] == prefix[1] {
                    if end - start > prefix.count {
                        continuations.insert(start: start + prefix.count, length: end - start - prefix.count, id: id)
                    }
                } else if end > start {
                    wordStarts.insert(start: start, length: end - start, id: id)
                }
                // A piece listed twice keeps its later id, as the reference's dictionary does.
                if end - start == 5 || end - start == 6, all[start] == 0x5B {
                    let piece = UnsafeBufferPointer(rebasing: all[start..<end])
                    for (k, special) in specials.enumerated() where special.elementsEqual(piece) { specialIDs[k] = id }
                }
            }
        }
        func id(_ token: String) -> Int32 { specialIDs[Self.literalSpecialTokens.firstIndex(of: token)!] }
        self.bytes = bytes
        self.starts = starts
        self.ends = ends
        self.wordStarts = wordStarts
        self.continuations = continuations
        unknownID = id("[UNK]")
        classifierID = id("[CLS]")
        separatorID = id("[SEP]")
        literalSpecials = zip(specials, specialIDs).filter { $0.1 >= 0 }.map { ($0.0, $0.1) }
        missingSpecialTokens = Self.requiredSpecialTokens.filter { id($0) < 0 }
    }

    /// Reads `vocab.txt`: UTF-8, one piece per line (`\n` or `\r\n`), a final newline optional.
    ///
    /// - Throws: ``EncoderError`` naming the file and the fix when it cannot be read, is empty,
    ///   is not UTF-8 or lacks [UNK], [CLS] or [SEP].
    static func load(from file: URL) throws(EncoderError) -> Vocabulary {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: file))
        } catch {
            let reason = FileManager.default.fileExists(atPath: file.path) ? "cannot be read" : "is missing"
            throw EncoderError("the sentence encoder's vocabulary \(file.path) \(reason); \(ModelFiles.fetchHint)")
        }
        var starts: [Int32] = [], ends: [Int32] = []
        starts.reserveCapacity(bytes.count / 6)
        ends.reserveCapacity(bytes.count / 6)
        var anyText = false
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for index in 0...all.count where index == all.count || all[index] == 0x0A {
                let end = index > start && all[index - 1] == 0x0D ? index - 1 : index
                starts.append(Int32(start))
                ends.append(Int32(end))
                if end > start { anyText = true }
                start = index + 1
            }
        }
        if let last = starts.indices.last, starts[last] == ends[last] {
            starts.removeLast()
            ends.removeLast()
        }
        // Valid as a whole iff every line is: a newline or carriage return never sits inside a sequence.
        if String(validating: bytes, as: UTF8.self) == nil {
            let line = starts.indices.first { index in
                String(validating: bytes[Int(starts[index])..<Int(ends[index])], as: UTF8.self) == nil
            } ?? starts.count - 1
            throw EncoderError("the sentence encoder's vocabulary \(file.path) is not UTF-8 text (line \(line + 1)); \(ModelFiles.fetchHint)")
        }
        guard anyText else {
            throw EncoderError("the sentence encoder's vocabulary \(file.path) is empty; \(ModelFiles.fetchHint)")
        }
        let vocabulary = Vocabulary(bytes: bytes, starts: starts, ends: ends)
        guard vocabulary.missingSpecialTokens.isEmpty else {
            throw EncoderError("the sentence encoder's vocabulary \(file.path) lacks \(vocabulary.missingSpecialTokens.joined(separator: ", ")), "
                + "so it is not a BERT WordPiece vocabulary; \(ModelFiles.fetchHint)")
        }
        return vocabulary
    }
}

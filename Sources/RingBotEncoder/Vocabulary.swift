import Foundation

/// A BERT WordPiece vocabulary: one piece per line of `vocab.txt`, the line number (from 0)
/// being the piece's id; pieces that continue a word start with `##`.
struct Vocabulary: Sendable {
    /// The special tokens BERT's tokenizer recognises when they are written literally in a text
    /// (case-sensitive, even inside a word), before any normalisation.
    static let literalSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    /// The special tokens every vocabulary must hold.
    static let requiredSpecialTokens = ["[UNK]", "[CLS]", "[SEP]"]
    /// The prefix of a piece that continues a word.
    static let continuationPrefix = "##"

    /// The pieces, by id.
    let tokens: [String]
    /// Pieces that may start a word.
    let wordStarts: PieceTrie
    /// Pieces that continue a word, without their `##`.
    let continuations: PieceTrie
    let unknownID: Int32
    let classifierID: Int32
    let separatorID: Int32
    /// The literal special tokens present in this vocabulary, as UTF-8, with their ids.
    let literalSpecials: [(utf8: [UInt8], id: Int32)]

    /// Builds the lookups. The caller has checked ``missingSpecialTokens(in:)`` is empty.
    init(tokens: [String]) {
        precondition(tokens.count < Int(Int32.max), "vocabulary too large")
        var ids: [String: Int32] = [:]
        var wordStarts = PieceTrie()
        var continuations = PieceTrie()
        let totalBytes = tokens.reduce(0) { $0 + $1.utf8.count }
        wordStarts.reserveCapacity(totalBytes: totalBytes)
        continuations.reserveCapacity(totalBytes: totalBytes / 2)
        for (index, token) in tokens.enumerated() {
            let id = Int32(index)
            ids[token] = id
            // Bytes, not Characters: in "##ी" the second "#" and the vowel sign are one Character.
            if token.utf8.starts(with: Self.continuationPrefix.utf8) {
                let rest = token.utf8.dropFirst(Self.continuationPrefix.utf8.count)
                if !rest.isEmpty { continuations.insert(rest, id: id) }
            } else if !token.isEmpty {
                wordStarts.insert(token.utf8, id: id)
            }
        }
        self.tokens = tokens
        self.wordStarts = wordStarts
        self.continuations = continuations
        self.unknownID = ids["[UNK]"] ?? -1
        self.classifierID = ids["[CLS]"] ?? -1
        self.separatorID = ids["[SEP]"] ?? -1
        self.literalSpecials = Self.literalSpecialTokens.compactMap { token in
            ids[token].map { (Array(token.utf8), $0) }
        }
    }

    /// The required special tokens (``requiredSpecialTokens``) that `tokens` lacks.
    static func missingSpecialTokens(in tokens: [String]) -> [String] {
        let present = Set(tokens)
        return requiredSpecialTokens.filter { !present.contains($0) }
    }

    /// Reads `vocab.txt`: UTF-8, one piece per line (`\n` or `\r\n`), a final newline optional.
    ///
    /// - Throws: ``EncoderError`` naming the file and the fix when it cannot be read, is empty,
    ///   is not UTF-8 or lacks [UNK], [CLS] or [SEP].
    static func load(from file: URL) throws(EncoderError) -> Vocabulary {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file.path) ? "cannot be read" : "is missing"
            throw EncoderError("the sentence encoder's vocabulary \(file.path) \(reason); \(ModelFiles.fetchHint)")
        }
        var lines: [String] = []
        for rawLine in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = rawLine.last == 0x0D ? rawLine.dropLast() : rawLine
            guard let piece = String(validating: line, as: UTF8.self) else {
                throw EncoderError("the sentence encoder's vocabulary \(file.path) is not UTF-8 text (line \(lines.count + 1)); \(ModelFiles.fetchHint)")
            }
            lines.append(piece)
        }
        if lines.last == "" { lines.removeLast() }
        guard lines.contains(where: { !$0.isEmpty }) else {
            throw EncoderError("the sentence encoder's vocabulary \(file.path) is empty; \(ModelFiles.fetchHint)")
        }
        let missing = missingSpecialTokens(in: lines)
        guard missing.isEmpty else {
            throw EncoderError("the sentence encoder's vocabulary \(file.path) lacks \(missing.joined(separator: ", ")), "
                + "so it is not a BERT WordPiece vocabulary; \(ModelFiles.fetchHint)")
        }
        return Vocabulary(tokens: lines)
    }
}

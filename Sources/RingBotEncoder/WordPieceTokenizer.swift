import Foundation

/// The tokenizer of all-MiniLM-L6-v2 (BERT, uncased): text to vocabulary ids, as the
/// Hugging Face tokenizer the model was trained with does it.
///
/// 1. The basic tokenizer (``BertCharacterKind``): control and format characters, NUL and
///    U+FFFD are dropped; whitespace ends a word; text is canonically decomposed (NFD), accents
///    (nonspacing marks) are dropped and letters lower-cased; each punctuation character and
///    each CJK ideograph is a word of its own. `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]` and `[MASK]`
///    written literally are those special tokens.
/// 2. WordPiece: each word becomes the longest vocabulary piece it starts with, then the longest
///    `##` piece at each next position; a word with an unmatched stretch, or of more than 100
///    scalars, becomes `[UNK]`.
/// 3. `[CLS]` first and `[SEP]` last, the word pieces between them cut to fit `maxTokens`.
///
/// Linear in the text's length, and it stops splitting once `maxTokens` is reached.
public struct WordPieceTokenizer: Sendable {
    private let vocabulary: Vocabulary

    /// Reads the vocabulary from `vocab.txt` (one piece per line; the line number from 0 is its id).
    ///
    /// - Throws: ``EncoderError`` naming the file and saying how to fetch it again when the file
    ///   is missing, unreadable, empty, not UTF-8 or lacks `[UNK]`, `[CLS]` or `[SEP]`.
    public init(vocabularyFile: URL) throws {
        vocabulary = try Vocabulary.load(from: vocabularyFile)
    }

    /// Uses `vocabulary` as the pieces in id order (the lines of `vocab.txt`).
    ///
    /// - Precondition: the vocabulary holds `[UNK]`, `[CLS]` and `[SEP]`.
    public init(vocabulary: [String]) {
        let built = Vocabulary(tokens: vocabulary)
        precondition(built.missingSpecialTokens.isEmpty, "the vocabulary lacks \(built.missingSpecialTokens.joined(separator: ", "))")
        self.vocabulary = built
    }

    /// The ids of `text`: `[CLS]`, the word pieces, `[SEP]`, at most `maxTokens` in all
    /// (all-MiniLM-L6-v2 reads 256); the pieces are cut, `[SEP]` always ends the list.
    ///
    /// - Parameter maxTokens: the length limit; values below 2 count as 2 (`[CLS]`, `[SEP]`).
    public func encode(_ text: String, maxTokens: Int = 256) -> [Int32] {
        let room = max(maxTokens, 2) - 2
        var ids: [Int32] = []
        ids.reserveCapacity(min(room, 64) + 2)
        ids.append(vocabulary.classifierID)
        if room > 0 { ids.append(contentsOf: pieceIDs(text, limit: room)) }
        ids.append(vocabulary.separatorID)
        return ids
    }

    /// The word pieces of `text` as strings, without `[CLS]`, `[SEP]` or any length limit
    /// (continuations keep their `##`), for explaining what the encoder saw.
    public func pieces(_ text: String) -> [String] {
        pieceIDs(text, limit: .max).map(vocabulary.token)
    }

    private func pieceIDs(_ text: String, limit: Int) -> [Int32] {
        var basic = BasicTokenizer(
            sink: WordPieceMatcher(vocabulary: vocabulary, limit: limit),
            literalSpecials: vocabulary.literalSpecials,
            storedScalarLimit: WordPieceMatcher.maxScalarsPerWord
        )
        basic.tokenize(text)
        return basic.sink.ids
    }
}

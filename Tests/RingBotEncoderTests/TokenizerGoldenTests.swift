import Foundation
import Testing
import RingBotEncoder

/// The Swift tokenizer against the model's own (Hugging Face) tokenizer, on the real vocabulary.
@Suite("Tokenizer against the reference")
struct TokenizerGoldenTests {
    /// The real vocabulary; a missing model fails the test with the command that fetches it.
    static func realTokenizer() throws -> WordPieceTokenizer {
        let folder = ModelFiles.defaultDirectory()
        let file = folder.appendingPathComponent("vocab.txt")
        guard FileManager.default.isReadableFile(atPath: file.path) else {
            throw EncoderError("the model's vocabulary \(file.path) is missing: run `make model` first (or set RINGBOT_MODEL_DIR)")
        }
        return try WordPieceTokenizer(vocabularyFile: file)
    }

    @Test("ids equal sentence-transformers' ids for every golden sentence")
    func goldenIDs() throws {
        let tokenizer = try Self.realTokenizer()
        let golden = try GoldenFixture.load()
        for item in golden.cases {
            let ids = tokenizer.encode(item.text, maxTokens: golden.maxTokens)
            #expect(ids == item.ids, "\(item.name): \(tokenizer.pieces(item.text).prefix(40))")
        }
    }

    @Test("pieces spell the ids between [CLS] and [SEP]")
    func piecesMatchIDs() throws {
        let tokenizer = try Self.realTokenizer()
        #expect(tokenizer.pieces("WhatsApp calling, never ringing!") == ["what", "##sa", "##pp", "calling", ",", "never", "ringing", "!"])
        #expect(tokenizer.encode("WhatsApp calling, never ringing!") == [101, 2054, 3736, 9397, 4214, 1010, 2196, 13060, 999, 102])
    }
}

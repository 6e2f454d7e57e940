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

    @Test("every code point is dropped, whitespace, split off or kept as the reference does")
    func characterClasses() throws {
        let tokenizer = try Self.realTokenizer()
        let url = try #require(Bundle.module.url(forResource: "char-classes", withExtension: "txt", subdirectory: "Fixtures"))
        let (a, b, ab): (Int32, Int32, Int32) = (1037, 1038, 11113)
        var checked = 0, wrong: [String] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            let first = try #require(UInt32(fields[0], radix: 16))
            let last = fields.count == 3 ? try #require(UInt32(fields[1], radix: 16)) : first
            let expected = fields[fields.count - 1]
            for value in first...last {
                guard let scalar = Unicode.Scalar(value) else { continue }
                var text = String.UnicodeScalarView()
                text.append("a"); text.append(scalar); text.append("b")
                let ids = tokenizer.encode(String(text))
                let kind = switch ids {
                case [101, ab, 102]: "d"
                case [101, a, b, 102]: "w"
                case _ where ids.count == 5 && ids[1] == a && ids[3] == b: "s"
                default: "l"
                }
                checked += 1
                if kind != expected { wrong.append("U+\(String(value, radix: 16, uppercase: true)): \(kind), reference \(expected)") }
            }
        }
        #expect(checked > 190_000)
        #expect(wrong.count == 0, "\(wrong.count) code points differ: \(wrong.prefix(20))")
    }
}

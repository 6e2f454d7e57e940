import Testing
import RingBotEncoder

/// Each rule of the tokenizer on a hand-made vocabulary, so a failure names the rule.
@Suite("Tokenizer rules")
struct TokenizerRulesTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",                  // 0-4
        "call", "##ing", "ring", "##s", "un", "##want", "##ed",        // 5-11
        ",", "!", "?", "'", "a", "b", "e", "##e", "x", "##x",          // 12-21
        "cafe", "你", "好", "ß", "##ी", "र", "##ह", "##ा", "[", "]",    // 22-31
    ]
    static let tokenizer = WordPieceTokenizer(vocabulary: vocabulary)
    let cls: Int32 = 2, sep: Int32 = 3, unk: Int32 = 1

    func pieces(_ text: String) -> [String] { Self.tokenizer.pieces(text) }

    @Test("[CLS] first, [SEP] last, ids in vocabulary line order")
    func specialsAndIDs() {
        #expect(Self.tokenizer.encode("call ring") == [cls, 5, 7, sep])
        #expect(Self.tokenizer.encode("") == [cls, sep])
        #expect(Self.tokenizer.encode(" \t\n ") == [cls, sep])
    }

    @Test("control and format characters, NUL and U+FFFD vanish without splitting the word")
    func controlCharacters() {
        #expect(pieces("ca\u{0}ll\u{7}ing") == ["call", "##ing"])
        #expect(pieces("ri\u{FFFD}ng\u{200B}s\u{FEFF}") == ["ring", "##s"])
        #expect(pieces("ca\u{1B}ll\u{E000}") == ["call"])
        #expect(pieces("\u{7F}\u{85}\u{AD}call") == ["call"])
    }

    @Test("every kind of whitespace ends a word")
    func whitespace() {
        #expect(pieces("\tcall\u{3000}ring\u{2028}a\u{A0}b\r\ne") == ["call", "ring", "a", "b", "e"])
    }

    @Test("CJK ideographs are words of their own")
    func cjk() {
        #expect(pieces("你好call") == ["你", "好", "call"])
        #expect(pieces("a你b") == ["a", "你", "b"])
    }

    @Test("letters are lower-cased and accents stripped through NFD")
    func caseAndAccents() {
        #expect(pieces("CALLING") == ["call", "##ing"])
        #expect(pieces("CAFÉ Café cafe\u{301}") == ["cafe", "cafe", "cafe"])
        #expect(pieces("ẞ") == ["ß"])
        // Spacing marks (Mc) stay, nonspacing ones (Mn) go: रही with an anusvara.
        #expect(pieces("रहा\u{902}") == ["र", "##ह", "##ा"])
    }

    @Test("punctuation splits by BERT's rule: ASCII symbol ranges and Unicode P*")
    func punctuation() {
        #expect(pieces("call,ring!?") == ["call", ",", "ring", "!", "?"])
        #expect(pieces("a$b") == ["a", "[UNK]", "b"])              // '$' is a symbol, yet BERT splits it
        #expect(pieces("a¿b") == ["a", "[UNK]", "b"])              // Unicode punctuation (Po)
        #expect(pieces("a€b") == ["[UNK]"])                        // Unicode symbol (Sc): part of the word
        #expect(pieces("don't") == ["[UNK]", "'", "[UNK]"])
    }

    @Test("greedy longest match with ## continuations")
    func wordPieces() {
        #expect(pieces("unwanted rings calling") == ["un", "##want", "##ed", "ring", "##s", "call", "##ing"])
        #expect(Self.tokenizer.encode("unwanted") == [cls, 9, 10, 11, sep])
    }

    @Test("a word with an unmatched stretch is one [UNK]")
    func unknownWord() {
        #expect(pieces("unwantedz") == ["[UNK]"])
        #expect(pieces("zcall call") == ["[UNK]", "call"])
        #expect(Self.tokenizer.encode("unwantedz") == [cls, unk, sep])
    }

    @Test("a word over 100 scalars (after normalisation) is [UNK]")
    func longWords() {
        #expect(pieces(String(repeating: "x", count: 100)) == ["x"] + Array(repeating: "##x", count: 99))
        #expect(pieces(String(repeating: "x", count: 101)) == ["[UNK]"])
        #expect(pieces("call " + String(repeating: "x", count: 5000) + " ring") == ["call", "[UNK]", "ring"])
        // 60 é are 60 scalars once the accents go, so not too long.
        #expect(pieces(String(repeating: "é", count: 60)).count == 60)
    }

    @Test("truncation keeps [CLS] first and [SEP] last")
    func truncation() {
        let text = Array(repeating: "calling", count: 400).joined(separator: " ")
        let ids = Self.tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == cls && ids.last == sep)
        #expect(ids[1...4] == [5, 6, 5, 6])
        #expect(Self.tokenizer.encode("call ring call", maxTokens: 4) == [cls, 5, 7, sep])
        #expect(Self.tokenizer.encode("calling", maxTokens: 3) == [cls, 5, sep])   // cut inside a word, as the reference does
        #expect(Self.tokenizer.encode("call", maxTokens: 2) == [cls, sep])
        #expect(Self.tokenizer.encode("call", maxTokens: 0) == [cls, sep])
        #expect(Self.tokenizer.encode("call ring", maxTokens: 256) == [cls, 5, 7, sep])
        #expect(Self.tokenizer.pieces(text).count == 800)                        // pieces are not cut
    }

    @Test("special tokens written literally are recognised, case-sensitively, even inside a word")
    func literalSpecials() {
        #expect(Self.tokenizer.encode("a [SEP] b") == [cls, 16, sep, 17, sep])
        #expect(Self.tokenizer.encode("call[MASK]ring") == [cls, 5, 4, 7, sep])
        #expect(pieces("[ring] [sep]") == ["[", "ring", "]", "[", "[UNK]", "]"])
        #expect(Self.tokenizer.encode("[[SEP]]") == [cls, 30, sep, 31, sep])
    }

    @Test("long non-ASCII texts and long runs of combining marks come out whole")
    func longInputs() {
        // Cut into NFD chunks internally; words and marks across the cuts must not change the result.
        let accented = Array(repeating: "É", count: 700).joined(separator: " ")
        #expect(pieces(accented) == Array(repeating: "e", count: 700))
        let marks = "call" + String(repeating: "\u{301}\u{316}", count: 50_000) + "ing ring"
        #expect(pieces(marks) == ["call", "##ing", "ring"])
        let joined = String(repeating: "é", count: 300)          // one word across several chunks
        #expect(pieces(joined) == ["[UNK]"])
    }
}

import Testing
import RingBotCore

@Suite("Text normaliser")
struct NormalizerTests {
    @Test("folds messy text to plain lower-case tokens", arguments: [
        ("Hello WORLD", ["hello", "world"]),
        ("ＷｈａｔｓＡｐｐ　ＣＡＬＬ", ["whatsapp", "call"]),          // full-width letters and space
        ("café crème", ["cafe", "creme"]),                           // accents dropped
        ("Ünïcödé ÀÉÎÕÜ", ["unicode", "aeiou"]),
        ("don’t", ["dont"]),                                         // curly apostrophe joins
        ("don't won`t", ["dont", "wont"]),
        ("isnʼt arenʹt", ["isnt", "arent"]),
        ("call📞me!!!now", ["call", "me", "now"]),                   // emoji and punctuation separate
        ("ringing…?? (yes) / no", ["ringing", "yes", "no"]),
        ("what\u{200D}sapp", ["whatsapp"]),                          // zero-width joiner removed
        ("wh\u{200B}ats\u{FEFF}app", ["whatsapp"]),                  // zero-width space, BOM
        ("\u{200F}hello\u{200E} \u{202E}world\u{202C}", ["hello", "world"]),  // RTL/LTR marks, bidi override
        ("calllll meeee", ["call", "mee"]),                          // 3+ repeated letters squeezed to 2
        ("call", ["call"]),                                          // a real double letter stays
        ("10000 and 911", ["10000", "and", "911"]),                  // digits are never squeezed
        ("1 ring, 2nd try", ["one", "ring", "second", "try"]),       // small numbers spelled out
        ("a\u{0}b\u{1}c\u{7}d\u{1B}e\u{7F}f", ["a", "b", "c", "d", "e", "f"]),  // NUL and ASCII controls separate
        ("tab\tnew\nline\r\nend", ["tab", "new", "line", "end"]),
        ("ﬁx", ["fix"]),                                             // ligature
    ])
    func folds(input: String, expected: [String]) {
        #expect(TextNormalizer.tokens(input) == expected)
    }

    @Test("an acute accent typed as an apostrophe joins the word (can´t → cant)")
    func acuteApostrophe() {
        #expect(TextNormalizer.tokens("can´t") == ["cant"])
        #expect(TextNormalizer.tokens("I can´t call") == ["i", "cant", "call"])
    }

    @Test("empty and whitespace-only input give no tokens", arguments: [
        "", " ", "   \t\n  ", "\u{3000}\u{00A0}", "!!! ??? ...", "😀🎉", "\u{200B}\u{200D}",
    ])
    func emptyInput(input: String) {
        #expect(TextNormalizer.tokens(input).isEmpty)
        #expect(TextNormalizer.normalize(input) == "")
    }

    @Test("normalize joins the tokens with single spaces")
    func normalizeJoins() {
        #expect(TextNormalizer.normalize("  Why  won’t my WhatsApp   RING?! ") == "why wont my whatsapp ring")
    }

    @Test("a 1 MB input is cut to maxInputScalars before tokenising")
    func hugeInputIsTruncated() {
        let megabyte = String(repeating: "word ", count: 200_000)  // 1_000_000 scalars
        let tokens = TextNormalizer.tokens(megabyte + "whatsapp")
        #expect(tokens.count == TextNormalizer.maxInputScalars / 5)
        #expect(!tokens.contains("whatsapp"), "text after the cut must not be read")
        #expect(tokens.allSatisfy { $0 == "word" })
    }

    @Test("a 1 MB input without spaces stays bounded")
    func hugeSingleWord() {
        let tokens = TextNormalizer.tokens(String(repeating: "ab", count: 500_000))
        #expect(tokens.count == 1)
        #expect(tokens[0].unicodeScalars.count <= TextNormalizer.maxInputScalars)
    }

    @Test("a 1 MB non-ASCII input is cut too")
    func hugeNonASCIIInput() {
        let tokens = TextNormalizer.tokens(String(repeating: "café ", count: 200_000))
        #expect(tokens.count == TextNormalizer.maxInputScalars / 5)
        #expect(tokens.allSatisfy { $0 == "cafe" })
    }
}

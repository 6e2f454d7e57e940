import Foundation
import RingBotCore
import Testing

/// 1 MB messages, and the inputs that once made the work per message super-linear.
/// Work is bounded by assertions on counts and on what is read, never on wall time.
@Suite("Bad input: huge messages and bounded work")
struct BoundedWorkTests {
    static let megabyte = 1 << 20

    /// 1 MB (at least) built by repeating `unit`.
    static func huge(_ unit: String) -> String {
        String(repeating: unit, count: megabyte / max(1, unit.utf8.count) + 1)
    }

    static let hugeShapes: [(name: String, text: String)] = [
        ("ascii words", huge("whatsapp call stuck on calling ")),
        ("one long word", huge("abcdefghijklmnopqrstuvwxyz")),
        ("kcal ligatures", huge("\u{3389}")),
        ("emoji zwj families", huge("👨‍👩‍👧‍👦🇩🇪👍🏽")),
        ("combining marks", huge("a\u{301}\u{302}\u{303}\u{304}")),
        ("nul and escapes", huge("\u{0}\u{1B}[31mcall\u{1B}]0;x\u{7}")),
        ("rtl and overrides", huge("\u{202E}واتساب \u{2067}שלום ")),
        ("markup", huge("<script>alert(1)</script>&amp;")),
        ("newlines", huge("call\n")),
    ]

    @Test("tokens of a 1 MB message are the tokens of its first 1000 scalars")
    func truncationBeforeWork() {
        for (name, text) in Self.hugeShapes {
            #expect(text.utf8.count >= Self.megabyte)
            let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(TextNormalizer.maxInputScalars)))
            let tokens = TextNormalizer.tokens(text)
            #expect(tokens == TextNormalizer.tokens(prefix), "\(name): tokens depend on text past the cut")
            #expect(tokens.count <= 18 * TextNormalizer.maxInputScalars, "\(name): \(tokens.count) tokens")
            #expect(TextNormalizer.normalize(text) == TextNormalizer.normalize(prefix), "\(name)")
        }
        // Exact counts: 1000 scalars of "call " are 200 tokens; of a 26-letter cycle, one 1000-letter word.
        #expect(TextNormalizer.tokens(Self.huge("call ")).count == 200)
        let word = TextNormalizer.tokens(Self.huge("abcdefghijklmnopqrstuvwxyz"))
        #expect(word.count == 1 && word[0].count == TextNormalizer.maxInputScalars)
    }

    @Test("1 MB messages: classify, a conversation and every renderer keep their invariants")
    func hugeMessages() {
        for (name, text) in Self.hugeShapes {
            let result = sharedAssistant.classify(text)
            expectValidConfidence(result.confidence, "1 MB \(name)")
            #expect(knownIntents.contains(result.intent), "1 MB \(name): \(result.intent)")
            var state = ConversationState()
            for n in 0..<3 {
                let reply = sharedAssistant.respond(to: text, state: &state, now: epoch.addingTimeInterval(Double(n)))
                expectValidConfidence(reply.confidence, "1 MB \(name) turn \(n)")
                expectSafeRenderings(reply.document, "1 MB \(name) turn \(n)")
            }
        }
        // Renderers on 1 MB of quoted user text (linear, but not cheap in debug: two shapes).
        for (name, text) in Self.hugeShapes where name == "nul and escapes" || name == "markup" {
            expectSafeRenderings(ReplyDocument([.paragraph(text)]), "1 MB quoted \(name)")
        }
    }

    static let longFoldedInputs = [String(repeating: "\u{3389}", count: 1000), String(repeating: "\u{FB03}", count: 1000),
                                   String(repeating: "\u{2177}", count: 1000), String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 40)]

    /// Regression: TypoCorrector's two-edit search was cubic in the word's length, and compatibility
    /// folding makes 1000 scalars up to 4000 letters (U+3389 SQUARE KCAL → "kcal"): one such 3 KB
    /// message took 113 s in `ringbot classify`. Words over `TypoCorrector.maxLength` are now left
    /// alone. (Without the fix this test takes many minutes rather than failing: Swift Testing's
    /// time limits cannot stop a synchronous test. `CLIRobustnessTests.longFoldedWordIsQuick`
    /// runs the same input under a process watchdog, which does fail.)
    @Test("Long words that fold from few scalars are not typo-corrected")
    func longFoldedWords() {
        let kcal = String(repeating: "\u{3389}", count: TextNormalizer.maxInputScalars)
        let tokens = TextNormalizer.tokens(kcal)
        #expect(tokens.count == 1 && tokens[0].utf8.count == 4 * TextNormalizer.maxInputScalars)
        for text in Self.longFoldedInputs {
            exerciseCore(text, "long folded word \(hex(text, limit: 12))")
            // The analyser keeps such a word as it is (it is no known word's typo).
            let words = sharedAssistant.analyze(text).words
            #expect(words == TextNormalizer.tokens(text), "input \(hex(text, limit: 12))")
        }
        let corrector = TypoCorrector(vocabulary: ["whatsapp": 3, "calling": 2, "unavailable": 1])
        let word = String(repeating: "kcal", count: 1000)
        #expect(corrector.correct(word) == word)
        #expect(corrector.correct("whatsap") == "whatsapp")  // still corrects ordinary typos
        #expect(corrector.correct("unavialable") == "unavailable")
    }
}

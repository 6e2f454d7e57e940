import Foundation
import RingBotCore
import RingBotTerminal
import Testing

/// Seeds per family for the property tests (13 families).
let seedsPerFamily: UInt64 = 30

/// Runs everything the core does with one message and checks the invariants;
/// `context` (family, seed, hex) goes into every failure message.
func exerciseCore(_ text: String, _ context: String, assistant: Assistant = sharedAssistant,
                  sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    // Classify.
    let result = assistant.classify(text)
    expectValidConfidence(result.confidence, "classify; \(context)", sourceLocation: sourceLocation)
    #expect(knownIntents.contains(result.intent), "unknown intent \(result.intent); \(context)", sourceLocation: sourceLocation)
    for candidate in result.ranked {
        expectValidConfidence(candidate.confidence, "ranked \(candidate.intent); \(context)", sourceLocation: sourceLocation)
    }

    // A conversation: the whole text, then each line as a turn (at most 4), then a follow-up.
    var turns = [text]
    turns += text.split(separator: "\n", omittingEmptySubsequences: false).prefix(4).map(String.init)
    turns.append("that didn't work")
    var state = ConversationState()
    for (n, turn) in turns.enumerated() {
        let reply = assistant.respond(to: turn, state: &state, now: epoch.addingTimeInterval(Double(n) * 10))
        expectValidConfidence(reply.confidence, "turn \(n); \(context)", sourceLocation: sourceLocation)
        #expect(knownIntents.contains(reply.intent), "turn \(n): unknown intent \(reply.intent); \(context)",
                sourceLocation: sourceLocation)
        #expect(!reply.plainText.isEmpty, "turn \(n): empty reply; \(context)", sourceLocation: sourceLocation)
        expectSafeRenderings(reply.document, "turn \(n); \(context)", sourceLocation: sourceLocation)
    }

    // Future replies may quote the user: documents made of the text itself stay inert.
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    expectSafeRenderings(ReplyDocument([.heading(text), .paragraph(text), .numbered(lines), .bullets([text, ""])]),
                         "quoted text; \(context)", sourceLocation: sourceLocation)
    let cleaned = TerminalSanitizer.clean(text)
    if let bad = forbiddenTerminalScalar(cleaned) {
        Issue.record("TerminalSanitizer.clean left U+\(String(bad.value, radix: 16, uppercase: true)); \(context)",
                     sourceLocation: sourceLocation)
    }

    // Normalisation is bounded by the first maxInputScalars scalars.
    let tokens = TextNormalizer.tokens(text)
    #expect(tokens.count <= 18 * TextNormalizer.maxInputScalars, "\(tokens.count) tokens; \(context)", sourceLocation: sourceLocation)
    #expect(!tokens.contains(""), "empty token; \(context)", sourceLocation: sourceLocation)
}

@Suite("Bad input: property tests on the core")
struct CoreRobustnessTests {
    @Test("Every family of hostile text keeps the core's invariants", arguments: BadInput.allCases)
    func family(_ family: BadInput) {
        for seed in 0..<seedsPerFamily {
            let text = family.generate(seed: seed)
            exerciseCore(text, "family \(family) seed \(seed) input \(hex(text))")
        }
    }

    @Test("HTML escaping is total and reversible", arguments: BadInput.allCases)
    func htmlEscapeRoundTrips(_ family: BadInput) {
        for seed in 0..<seedsPerFamily {
            let text = family.generate(seed: seed)
            let escaped = HTMLRenderer.escape(text)
            #expect(!escaped.unicodeScalars.contains { "<>\"'".unicodeScalars.contains($0) },
                    "family \(family) seed \(seed): escape left markup characters; input \(hex(text))")
            let unescaped = escaped.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
            #expect(unescaped.unicodeScalars.elementsEqual(text.unicodeScalars),
                    "family \(family) seed \(seed): escape does not round-trip; input \(hex(text))")
        }
    }

    @Test("TerminalSanitizer: clean output, idempotent, and harmless text untouched", arguments: BadInput.allCases)
    func sanitizer(_ family: BadInput) {
        for seed in 0..<seedsPerFamily {
            let text = family.generate(seed: seed)
            let once = TerminalSanitizer.clean(text)
            #expect(forbiddenTerminalScalar(once) == nil && !once.unicodeScalars.contains("\u{1B}"),
                    "family \(family) seed \(seed): control left; input \(hex(text))")
            #expect(TerminalSanitizer.clean(once).unicodeScalars.elementsEqual(once.unicodeScalars),
                    "family \(family) seed \(seed): clean is not idempotent; input \(hex(text))")
            if forbiddenTerminalScalar(text) == nil {
                #expect(once.unicodeScalars.elementsEqual(text.unicodeScalars),
                        "family \(family) seed \(seed): clean changed harmless text; input \(hex(text))")
            }
        }
    }

    @Test("Normalisation reads at most maxInputScalars scalars", arguments: BadInput.allCases)
    func normalisationPrefix(_ family: BadInput) {
        for seed in 0..<seedsPerFamily {
            // Make every case longer than the cut by repeating it.
            var text = family.generate(seed: seed)
            if text.isEmpty { text = "x" }
            let count = text.unicodeScalars.count
            let long = String(repeating: text, count: TextNormalizer.maxInputScalars / count + 2)
            let prefix = String(String.UnicodeScalarView(long.unicodeScalars.prefix(TextNormalizer.maxInputScalars)))
            #expect(TextNormalizer.tokens(long) == TextNormalizer.tokens(prefix),
                    "family \(family) seed \(seed): tokens depend on text past the cut; input \(hex(text))")
        }
    }

    static let blank = ["", " ", "\t", "\n", "\r\n", "   \t  ", "\u{A0}\u{3000}\u{2028}\u{2029}\u{85}", "\u{200B}\u{FEFF}", "\u{0}"]

    @Test("Empty and whitespace-only messages are out of scope and still answered")
    func emptyAndWhitespace() {
        for text in Self.blank {
            let result = sharedAssistant.classify(text)
            #expect(result.intent == "out_of_scope", "input \(hex(text)) → \(result.intent)")
            #expect(TextNormalizer.tokens(text).isEmpty, "input \(hex(text))")
            exerciseCore(text, "whitespace input \(hex(text))")
        }
    }
}

/// How many distinct hostile inputs this target tries (printed; the generators are deterministic).
@Test("Inventory of distinct bad-input cases")
func inventory() {
    var inputs: Set<[UInt8]> = []
    var repeated: Set<[UInt8]> = []
    for family in BadInput.allCases {
        for seed in 0..<seedsPerFamily {
            let text = family.generate(seed: seed)
            inputs.insert(Array(text.utf8))
            let base = text.isEmpty ? "x" : text
            repeated.insert(Array(String(repeating: base, count: TextNormalizer.maxInputScalars / base.unicodeScalars.count + 2).utf8))
        }
    }
    let generated = inputs.count
    CoreRobustnessTests.blank.forEach { inputs.insert(Array($0.utf8)) }
    BoundedWorkTests.hugeShapes.forEach { inputs.insert(Array($0.text.utf8)) }
    BoundedWorkTests.longFoldedInputs.forEach { inputs.insert(Array($0.utf8)) }
    FuzzRegressionTests.findings.forEach { inputs.insert(FuzzRegressionTests.bytes($0.hex)) }
    let core = inputs.count
    var cli: Set<[UInt8]> = Set(CLIInput.lines.map(\.bytes))
    CLIRobustnessTests.streams.forEach { cli.insert($0.bytes) }
    print("RingBotRobustnessTests: \(generated) distinct generated cases (\(BadInput.allCases.count) families x \(seedsPerFamily) seeds), "
          + "\(core) distinct core inputs in all, \(repeated.count) repeated-past-the-cut variants, "
          + "\(cli.count) distinct CLI inputs (x2 commands)")
    #expect(generated >= BadInput.allCases.count * Int(seedsPerFamily) * 9 / 10, "generators produce too many duplicates")
}

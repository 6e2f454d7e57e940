import ArgumentParser
import RingBotCore

/// `ringbot classify`: one JSON object per input line, no dialogue context.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify each line of standard input; print one JSON object per line.",
        discussion: """
            Output: {"text": "...", "intent": "<id>", "confidence": 0.93, "platform": "ios"|"android"|null}
            Invalid UTF-8 is replaced, never fatal; an empty line gives out_of_scope.
            """
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Flag(name: .long, help: "Also print the matched terms, the three best intents and (hybrid) what the words alone say (for knowledge authors).")
    var explain = false

    func run() async throws {
        let assistant = try await knowledgeOptions.loadAssistant()
        while let line = readLine(strippingNewline: true) {
            let text = line.hasSuffix("\r") ? String(line.dropLast()) : line
            let result = assistant.classify(text)
            Stdout.writeLine(JSONLine.object([
                "text": .string(text),
                "intent": .string(result.intent),
                "confidence": .number((result.confidence * 1000).rounded() / 1000),
                "platform": .optional(result.platform?.rawValue),
            ]))
            if explain {
                let terms = assistant.analyze(text).terms.joined(separator: " ")
                let top = result.ranked.prefix(3).map { "\($0.intent) \(Decimal2($0.confidence))" }.joined(separator: ", ")
                Stdout.writeLine("  terms: \(terms)\n  best:  \(top)")
                if assistant.matcherKind == .hybrid {
                    let words = assistant.lexicalVerdict(text).ranked.prefix(2).map { "\($0.intent) \(Decimal2($0.confidence))" }
                    Stdout.writeLine("  words alone: \(words.joined(separator: ", "))")
                }
            }
        }
    }
}

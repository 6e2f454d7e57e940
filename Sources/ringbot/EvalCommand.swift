import ArgumentParser
import Foundation
import RingBotCore

/// `ringbot eval FILE.tsv`: scores the classifier on labelled data.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the classifier on a labelled TSV file (text, intent, platform)."
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Argument(help: "A labelled file: header `text<TAB>intent<TAB>platform`, one utterance a line.")
    var file: String

    @Option(name: .long, help: "Exit 1 if accuracy is below this (0...1).")
    var minAccuracy: Double?

    @Flag(name: .long, help: "List every misclassified line.")
    var verbose = false

    @Flag(name: .long, help: "Also score the other matcher and print both side by side.")
    var compare = false

    func validate() throws {
        if let minAccuracy, !(0...1).contains(minAccuracy) {
            throw ValidationError("--min-accuracy must be between 0 and 1, e.g. 0.97")
        }
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            Stderr.write("\(file):0: cannot read the file; check the path")
            throw ExitCode(2)
        }
        let parsed = LabelledDataParser.parse(String(decoding: data, as: UTF8.self), file: file)
        if !parsed.problems.isEmpty {
            Stderr.write(parsed.problems.map(\.description).joined(separator: "\n"))
            throw ExitCode(2)
        }
        let assistant = try await knowledgeOptions.loadAssistant()
        let known = Set(assistant.knowledge.intents.map(\.id))
        let unknown = parsed.items.filter { !known.contains($0.intent) }
        if let first = unknown.first {
            Stderr.write("\(file):\(first.line): unknown intent `\(first.intent)`; the knowledge defines: "
                + known.sorted().joined(separator: ", "))
            throw ExitCode(2)
        }
        let predictions = parsed.items.map { assistant.classify($0.text) }
        let fallback = assistant.knowledge.intent(role: .fallback)?.id ?? "out_of_scope"
        let report = EvaluationReport(data: parsed.items, predictions: predictions, outOfScopeID: fallback)
        print(EvalReportFormatter.format(report))
        if verbose {
            print("\nMisclassified:")
            for (item, prediction) in zip(parsed.items, predictions) where item.intent != prediction.intent {
                print("  line \(item.line): \(item.intent) -> \(prediction.intent) (\(Decimal2(prediction.confidence))): \(item.text)")
            }
        }
        if compare {
            var other = knowledgeOptions
            other.matcher = knowledgeOptions.matcher == .hybrid ? .lexical : .hybrid
            let otherAssistant = try await other.loadAssistant()
            let otherReport = EvaluationReport(data: parsed.items, predictions: parsed.items.map { otherAssistant.classify($0.text) },
                                               outOfScopeID: fallback)
            let rows = [(knowledgeOptions.matcher.rawValue, report), (other.matcher.rawValue, otherReport)]
                .sorted { $0.0 > $1.0 }
            print("\n" + EvalReportFormatter.comparison(rows.map { (matcher: $0.0, report: $0.1) }))
        }
        if let minAccuracy, report.accuracy < minAccuracy {
            Stderr.write("accuracy \(Decimal2(report.accuracy)) is below --min-accuracy \(minAccuracy)")
            throw ExitCode(1)
        }
    }
}

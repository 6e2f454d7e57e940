import Foundation
import RingBotCore

/// Formats an ``EvaluationReport`` as an aligned text report.
enum EvalReportFormatter {
    static func format(_ report: EvaluationReport) -> String {
        var lines: [String] = []
        lines.append("utterances:          \(report.total)")
        lines.append("accuracy:            \(Decimal2(report.accuracy))  (\(report.correct)/\(report.total))")
        lines.append("out-of-scope recall: \(Decimal2(report.outOfScopeRecall))  (of \(report.outOfScopeSupport))")
        lines.append("platform accuracy:   \(Decimal2(report.platformAccuracy))")
        lines.append("calibration error:   \(Decimal2(report.calibrationError))  (ECE, 10 bins; mean confidence \(Decimal2(report.meanConfidenceCorrect)) when right, \(Decimal2(report.meanConfidenceWrong)) when wrong)")
        lines.append("")
        let width = max(20, report.perIntent.map(\.intent.count).max() ?? 0)
        lines.append("intent".padded(width) + "  support  precision  recall  f1")
        for score in report.perIntent {
            lines.append(score.intent.padded(width) + "  " + "\(score.support)".padded(7, left: true)
                + "  " + "\(Decimal2(score.precision))".padded(9, left: true)
                + "  " + "\(Decimal2(score.recall))".padded(6, left: true)
                + "  " + "\(Decimal2(score.f1))")
        }
        if !report.confusions.isEmpty {
            lines.append("")
            lines.append("most common confusions (expected -> predicted):")
            for confusion in report.confusions.prefix(10) {
                lines.append("  \(confusion.count) × \(confusion.expected) -> \(confusion.predicted)   e.g. \"\(confusion.examples[0])\"")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The headline figures of several matchers on the same file, one row each.
    static func comparison(_ rows: [(matcher: String, report: EvaluationReport)]) -> String {
        var lines = ["matcher   accuracy         out-of-scope recall  platform  ECE"]
        for (matcher, report) in rows {
            lines.append(matcher.padded(8) + "  "
                + "\(Decimal3(report.accuracy)) (\(report.correct)/\(report.total))".padded(15) + "  "
                + "\(Decimal3(report.outOfScopeRecall))".padded(19) + "  "
                + "\(Decimal2(report.platformAccuracy))".padded(8) + "  "
                + "\(Decimal3(report.calibrationError))")
        }
        return lines.joined(separator: "\n")
    }
}

/// A number in [0, 1] with three decimals, for comparing matchers.
struct Decimal3: CustomStringConvertible {
    var value: Double
    init(_ value: Double) { self.value = value }
    var description: String { String(format: "%.3f", value) }
}

extension String {
    func padded(_ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - count))
        return left ? pad + self : self + pad
    }
}

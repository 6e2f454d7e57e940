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
}

extension String {
    func padded(_ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - count))
        return left ? pad + self : self + pad
    }
}

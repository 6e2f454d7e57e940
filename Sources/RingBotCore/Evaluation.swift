/// One labelled utterance, as in `shared/data/*.tsv`.
public struct LabelledUtterance: Sendable, Equatable {
    public var text: String
    public var intent: String
    public var platform: Platform?
    public var line: Int

    public init(text: String, intent: String, platform: Platform?, line: Int) {
        self.text = text
        self.intent = intent
        self.platform = platform
        self.line = line
    }
}

/// Scores of a classifier on labelled data: accuracy, per-intent precision,
/// recall and F1, confusions, out-of-scope recall, platform accuracy and
/// calibration (expected calibration error).
public struct EvaluationReport: Sendable {
    public struct IntentScore: Sendable {
        public var intent: String
        public var support: Int
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public struct Confusion: Sendable {
        public var expected: String
        public var predicted: String
        public var count: Int
        public var examples: [String]
    }

    public var total: Int
    public var correct: Int
    public var accuracy: Double
    public var perIntent: [IntentScore]
    public var confusions: [Confusion]
    public var outOfScopeRecall: Double
    public var outOfScopeSupport: Int
    public var platformAccuracy: Double
    /// Expected calibration error over 10 confidence bins: 0 is perfectly calibrated.
    public var calibrationError: Double
    public var meanConfidenceCorrect: Double
    public var meanConfidenceWrong: Double

    /// Scores `predictions` (same order as `data`).
    public init(data: [LabelledUtterance], predictions: [Classification], outOfScopeID: String) {
        precondition(data.count == predictions.count)
        total = data.count
        var correct = 0, platformCorrect = 0, oosTotal = 0, oosCorrect = 0
        var truePositive: [String: Int] = [:], predicted: [String: Int] = [:], actual: [String: Int] = [:]
        var confusionCounts: [String: (Int, [String])] = [:]
        var bins = [(count: Int, confidence: Double, correct: Int)](repeating: (0, 0, 0), count: 10)
        var confidenceCorrect = 0.0, confidenceWrong = 0.0
        for (item, prediction) in zip(data, predictions) {
            actual[item.intent, default: 0] += 1
            predicted[prediction.intent, default: 0] += 1
            let hit = item.intent == prediction.intent
            if hit {
                correct += 1
                truePositive[item.intent, default: 0] += 1
                confidenceCorrect += prediction.confidence
            } else {
                confidenceWrong += prediction.confidence
                let key = item.intent + "\u{1}" + prediction.intent
                var entry = confusionCounts[key] ?? (0, [])
                entry.0 += 1
                if entry.1.count < 3 { entry.1.append(item.text) }
                confusionCounts[key] = entry
            }
            if item.platform == prediction.platform { platformCorrect += 1 }
            if item.intent == outOfScopeID {
                oosTotal += 1
                if hit { oosCorrect += 1 }
            }
            let bin = min(9, max(0, Int(prediction.confidence * 10)))
            bins[bin].count += 1
            bins[bin].confidence += prediction.confidence
            bins[bin].correct += hit ? 1 : 0
        }
        self.correct = correct
        accuracy = total == 0 ? 0 : Double(correct) / Double(total)
        platformAccuracy = total == 0 ? 0 : Double(platformCorrect) / Double(total)
        outOfScopeSupport = oosTotal
        outOfScopeRecall = oosTotal == 0 ? 1 : Double(oosCorrect) / Double(oosTotal)
        perIntent = Set(actual.keys).union(predicted.keys).sorted().map { intent in
            let tp = Double(truePositive[intent] ?? 0)
            let precision = (predicted[intent] ?? 0) == 0 ? 0 : tp / Double(predicted[intent]!)
            let recall = (actual[intent] ?? 0) == 0 ? 0 : tp / Double(actual[intent]!)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return IntentScore(intent: intent, support: actual[intent] ?? 0, precision: precision, recall: recall, f1: f1)
        }
        confusions = confusionCounts.map { key, value in
            let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false)
            return Confusion(expected: String(parts[0]), predicted: String(parts[1]), count: value.0, examples: value.1)
        }.sorted { ($0.count, $1.expected, $1.predicted) > ($1.count, $0.expected, $0.predicted) }
        let count = Double(data.count)
        calibrationError = data.isEmpty ? 0 : bins.reduce(0.0) { sum, bin in
            guard bin.count > 0 else { return sum }
            let gap = abs(bin.confidence / Double(bin.count) - Double(bin.correct) / Double(bin.count))
            return sum + gap * Double(bin.count) / count
        }
        meanConfidenceCorrect = correct == 0 ? 0 : confidenceCorrect / Double(correct)
        meanConfidenceWrong = total - correct == 0 ? 0 : confidenceWrong / Double(total - correct)
    }
}

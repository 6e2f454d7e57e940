/// The matcher's hyper-parameters. The defaults are the values measured best with
/// `ringbot eval`; they are exposed for experiments, not for everyday use.
public struct MatcherTuning: Sendable, Equatable {
    /// How much a key phrase of weight 2 counts as a training sample (an example counts 1).
    public var phraseSampleWeight = 0.5
    /// Softmax temperature: above 1 softens the confidence, below 1 sharpens it.
    public var temperature = 1.0
    /// Training passes over the samples (15 to 40 score the same on dev, held-out and cross-validation).
    public var epochs = 20
    public var learningRate = 0.5
    /// L2 regularisation: larger values keep weights small and confidence humble.
    public var l2 = 1e-3
    /// Hybrid matcher: how much the sentence embedding counts against the lexical terms
    /// (4 to 12 score within a point of each other in 5-fold cross-validation; 8 is best).
    public var denseScale = 8.0
    /// Hybrid matcher: its own training passes and learning rate (a lower rate than the
    /// lexical one keeps the dense weights from overshooting: cross-validation 0.950 vs 0.931).
    public var hybridEpochs = 40
    public var hybridLearningRate = 0.3
    /// Hybrid matcher: its own softmax temperature, set for calibration (ECE on dev 0.017).
    public var hybridTemperature = 0.8

    public init() {}

    /// Parses `name=value,...` (names as the properties); unknown names are reported.
    public init(parsing text: String) throws(TuningError) {
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
            guard pair.count == 2, let value = Double(pair[1]) else { throw TuningError(text: String(part)) }
            switch pair[0] {
            case "phraseSampleWeight": phraseSampleWeight = value
            case "temperature": temperature = value
            case "epochs": epochs = Int(value)
            case "learningRate": learningRate = value
            case "l2": l2 = value
            case "denseScale": denseScale = value
            case "hybridTemperature": hybridTemperature = value
            case "hybridEpochs": hybridEpochs = Int(value)
            case "hybridLearningRate": hybridLearningRate = value
            default: throw TuningError(text: String(part))
            }
        }
    }
}

/// A bad `name=value` in a tuning string.
public struct TuningError: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
        "bad tuning setting `\(text)`; use name=number with names phraseSampleWeight, temperature, epochs, learningRate, l2, denseScale, hybridEpochs, hybridLearningRate, hybridTemperature"
    }
}

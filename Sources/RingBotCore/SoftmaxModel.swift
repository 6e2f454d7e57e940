import Foundation

/// A multinomial logistic-regression (softmax) classifier over sparse string
/// features, trained at start-up by deterministic stochastic gradient descent.
/// Small and fast: a few hundred examples train in milliseconds.
struct SoftmaxModel: Sendable {
    /// One training sample: its features, class index and weight.
    struct Sample {
        var features: [String]
        var label: Int
        var weight: Double
    }

    /// Training settings.
    struct Training {
        var epochs = 40
        var learningRate = 0.5
        var l2 = 1e-4
    }

    let classCount: Int
    private let featureIndex: [String: Int]
    private let weights: [Double]  // feature-major: weights[f * classCount + c]
    private let bias: [Double]

    /// Trains a model on `samples`.
    init(classCount: Int, samples: [Sample], training: Training = Training()) {
        var featureIndex: [String: Int] = [:]
        let encoded: [(ids: [Int], label: Int, weight: Double)] = samples.map { sample in
            var ids: [Int] = []
            for feature in sample.features {
                let id = featureIndex[feature] ?? {
                    let new = featureIndex.count
                    featureIndex[feature] = new
                    return new
                }()
                ids.append(id)
            }
            return (ids, sample.label, sample.weight)
        }
        var weights = [Double](repeating: 0, count: featureIndex.count * classCount)
        var bias = [Double](repeating: 0, count: classCount)
        var order = Array(encoded.indices)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var probabilities = [Double](repeating: 0, count: classCount)
        weights.withUnsafeMutableBufferPointer { w in
            bias.withUnsafeMutableBufferPointer { b in
                probabilities.withUnsafeMutableBufferPointer { p in
                    for epoch in 0..<training.epochs {
                        // A fixed pseudo-random order, so every start-up trains the same model.
                        for i in stride(from: order.count - 1, to: 0, by: -1) {
                            seed = seed &* 6364136223846793005 &+ 1442695040888963407
                            order.swapAt(i, Int((seed >> 33) % UInt64(i + 1)))
                        }
                        let rate = training.learningRate / (1 + Double(epoch) * 0.1)
                        let decay = 1 - rate * training.l2
                        for index in order {
                            let sample = encoded[index]
                            var maximum = -Double.infinity
                            for c in 0..<classCount {
                                var z = b[c]
                                for id in sample.ids { z += w[id &* classCount &+ c] }
                                p[c] = z
                                maximum = Swift.max(maximum, z)
                            }
                            var sum = 0.0
                            for c in 0..<classCount {
                                p[c] = exp(p[c] - maximum)
                                sum += p[c]
                            }
                            for c in 0..<classCount {
                                let gradient = (p[c] / sum - (c == sample.label ? 1 : 0)) * sample.weight * rate
                                b[c] -= gradient * 0.1
                                for id in sample.ids {
                                    let k = id &* classCount &+ c
                                    w[k] = w[k] * decay - gradient
                                }
                            }
                        }
                    }
                }
            }
        }
        self.classCount = classCount
        self.featureIndex = featureIndex
        self.weights = weights
        self.bias = bias
    }

    /// Whether the model has seen `feature` in training.
    func knows(_ feature: String) -> Bool { featureIndex[feature] != nil }

    /// Raw class scores for `features`, and how many of them the model knows.
    func logits(_ features: [String]) -> (logits: [Double], known: Int) {
        var logits = bias
        var known = 0
        for feature in features {
            guard let id = featureIndex[feature] else { continue }
            known += 1
            let base = id * classCount
            for c in 0..<classCount { logits[c] += weights[base + c] }
        }
        return (logits, known)
    }

    static func softmaxInPlace(_ values: inout [Double]) {
        let maximum = values.max() ?? 0
        var sum = 0.0
        for i in values.indices {
            values[i] = exp(values[i] - maximum)
            sum += values[i]
        }
        for i in values.indices { values[i] /= sum }
    }
}

import Foundation

/// A multinomial logistic-regression (softmax) classifier over sparse string
/// features and, optionally, a dense vector per sample (a sentence embedding),
/// trained by deterministic stochastic gradient descent: the same samples always
/// give the same weights, bit for bit.
struct SoftmaxModel: Sendable {
    /// One training sample: its sparse features, dense vector (empty when the model has none),
    /// class index and weight.
    struct Sample {
        var features: [String]
        var dense: [Float] = []
        var label: Int
        var weight: Double
    }

    /// Training settings.
    struct Training {
        var epochs = 40
        var learningRate = 0.5
        var l2 = 1e-4
        /// How much the dense vector counts against the sparse features (it is multiplied by this).
        var denseScale = 1.0
    }

    /// Everything the trained model is: enough to rebuild it without training (the compiled cache).
    struct Parameters: Sendable, Equatable {
        var classCount: Int
        /// Sparse feature names, in index order.
        var features: [String]
        /// Feature-major: `weights[f * classCount + c]`.
        var weights: [Double]
        var bias: [Double]
        /// Dimension-major: `denseWeights[d * classCount + c]`, already multiplied by the dense scale.
        var denseWeights: [Float]
        var denseDimension: Int
    }

    let parameters: Parameters
    private let featureIndex: [String: Int]

    var classCount: Int { parameters.classCount }
    var denseDimension: Int { parameters.denseDimension }

    /// Rebuilds a trained model.
    init(parameters: Parameters) {
        self.parameters = parameters
        var index: [String: Int] = [:]
        index.reserveCapacity(parameters.features.count)
        for (i, name) in parameters.features.enumerated() { index[name] = i }
        self.featureIndex = index
    }

    /// Trains a model on `samples`. Every sample's `dense` must have the same length.
    init(classCount: Int, samples: [Sample], training: Training = Training()) {
        var featureIndex: [String: Int] = [:]
        var names: [String] = []
        let encoded: [(ids: [Int], label: Int, weight: Double)] = samples.map { sample in
            var ids: [Int] = []
            for feature in sample.features {
                let id = featureIndex[feature] ?? {
                    let new = names.count
                    featureIndex[feature] = new
                    names.append(feature)
                    return new
                }()
                ids.append(id)
            }
            return (ids, sample.label, sample.weight)
        }
        let dimension = samples.first?.dense.count ?? 0
        let scale = Float(training.denseScale)
        let dense: [Float] = samples.flatMap { $0.dense.map { $0 * scale } }
        var weights = [Double](repeating: 0, count: names.count * classCount)
        var denseWeights = [Float](repeating: 0, count: dimension * classCount)
        var bias = [Double](repeating: 0, count: classCount)
        var order = Array(encoded.indices)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var probabilities = [Double](repeating: 0, count: classCount)
        var gradients = [Float](repeating: 0, count: classCount)
        weights.withUnsafeMutableBufferPointer { w in
        denseWeights.withUnsafeMutableBufferPointer { v in
        dense.withUnsafeBufferPointer { x in
            bias.withUnsafeMutableBufferPointer { b in
                probabilities.withUnsafeMutableBufferPointer { p in
                gradients.withUnsafeMutableBufferPointer { g in
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
                            let row = index &* dimension
                            var maximum = -Double.infinity
                            for c in 0..<classCount {
                                var z = b[c]
                                for id in sample.ids { z += w[id &* classCount &+ c] }
                                p[c] = z
                            }
                            for d in 0..<dimension {
                                let value = x[row &+ d]
                                let base = d &* classCount
                                for c in 0..<classCount { p[c] += Double(value * v[base &+ c]) }
                            }
                            for c in 0..<classCount { maximum = Swift.max(maximum, p[c]) }
                            var sum = 0.0
                            for c in 0..<classCount {
                                p[c] = exp(p[c] - maximum)
                                sum += p[c]
                            }
                            for c in 0..<classCount {
                                let gradient = (p[c] / sum - (c == sample.label ? 1 : 0)) * sample.weight * rate
                                g[c] = Float(gradient)
                                b[c] -= gradient * 0.1
                                for id in sample.ids {
                                    let k = id &* classCount &+ c
                                    w[k] = w[k] * decay - gradient
                                }
                            }
                            let denseDecay = Float(decay)
                            for d in 0..<dimension {
                                let value = x[row &+ d]
                                let base = d &* classCount
                                for c in 0..<classCount {
                                    v[base &+ c] = v[base &+ c] * denseDecay - g[c] * value
                                }
                            }
                        }
                    }
                }
                }
            }
        }
        }
        }
        // Fold the scale into the weights, so inference reads the raw embedding.
        for i in denseWeights.indices { denseWeights[i] *= scale }
        self.init(parameters: Parameters(classCount: classCount, features: names, weights: weights, bias: bias,
                                         denseWeights: denseWeights, denseDimension: dimension))
    }

    /// Whether the model has seen `feature` in training.
    func knows(_ feature: String) -> Bool { featureIndex[feature] != nil }

    /// Raw class scores for sparse `features` and a `dense` vector (ignored when the model has
    /// none), and how many of the sparse features the model knows.
    func logits(_ features: [String], dense: [Float] = []) -> (logits: [Double], known: Int) {
        var logits = parameters.bias
        var known = 0
        let classCount = parameters.classCount
        parameters.weights.withUnsafeBufferPointer { weights in
            for feature in features {
                guard let id = featureIndex[feature] else { continue }
                known += 1
                let base = id * classCount
                for c in 0..<classCount { logits[c] += weights[base + c] }
            }
        }
        let dimension = parameters.denseDimension
        if dimension > 0, dense.count == dimension {
            var scores = [Float](repeating: 0, count: classCount)
            parameters.denseWeights.withUnsafeBufferPointer { v in
                for d in 0..<dimension {
                    let value = dense[d]
                    let base = d * classCount
                    for c in 0..<classCount { scores[c] += value * v[base + c] }
                }
            }
            for c in 0..<classCount { logits[c] += Double(scores[c]) }
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

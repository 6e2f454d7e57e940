/// A trained hybrid matcher, as stored in the compiled-knowledge cache: the
/// classifier's weights, so that start-up skips encoding every example and training.
///
/// The core only makes and reads this value; writing it to disk (atomically, keyed
/// by a hash of the knowledge files, the model and ``formatVersion``) is the edge's job.
public struct CompiledMatcher: Sendable, Equatable {
    /// Bumped whenever training or the features change, so old caches are rebuilt.
    public static let formatVersion = "hybrid-1"

    /// The cache key it was built for (the edge's hash of everything it depends on).
    public var key: String
    /// The intents, in class order.
    public var intentIDs: [String]
    /// Sparse feature names, in index order.
    public var features: [String]
    /// Feature-major sparse weights: `weights[f * intentIDs.count + c]`.
    public var weights: [Double]
    public var bias: [Double]
    /// Dimension-major dense weights: `denseWeights[d * intentIDs.count + c]`.
    public var denseWeights: [Float]
    public var denseDimension: Int
    /// The training texts that were encoded, and their embeddings (`denseDimension` floats each,
    /// in the same order): reused by the next compile for every text that did not change, and
    /// by `kb check`'s cross-validation.
    public var texts: [String]
    public var embeddings: [Float]

    public init(key: String, intentIDs: [String], features: [String], weights: [Double], bias: [Double],
                denseWeights: [Float], denseDimension: Int, texts: [String], embeddings: [Float]) {
        self.key = key
        self.texts = texts
        self.embeddings = embeddings
        self.intentIDs = intentIDs
        self.features = features
        self.weights = weights
        self.bias = bias
        self.denseWeights = denseWeights
        self.denseDimension = denseDimension
    }

    /// Whether the arrays have the sizes their counts promise (a damaged cache does not).
    public var isConsistent: Bool {
        let classes = intentIDs.count
        return classes > 0 && bias.count == classes && weights.count == features.count * classes
            && denseWeights.count == denseDimension * classes && embeddings.count == texts.count * denseDimension
    }

    /// The stored embedding of every training text, for reuse.
    public var embeddingsByText: [String: [Float]] {
        var table: [String: [Float]] = [:]
        table.reserveCapacity(texts.count)
        for (i, text) in texts.enumerated() {
            table[text] = Array(embeddings[(i * denseDimension)..<((i + 1) * denseDimension)])
        }
        return table
    }

    init(key: String, intentIDs: [String], parameters: SoftmaxModel.Parameters, texts: [String], embeddings: [Float]) {
        self.init(key: key, intentIDs: intentIDs, features: parameters.features, weights: parameters.weights,
                  bias: parameters.bias, denseWeights: parameters.denseWeights,
                  denseDimension: parameters.denseDimension, texts: texts, embeddings: embeddings)
    }

    var parameters: SoftmaxModel.Parameters {
        .init(classCount: intentIDs.count, features: features, weights: weights, bias: bias,
              denseWeights: denseWeights, denseDimension: denseDimension)
    }
}

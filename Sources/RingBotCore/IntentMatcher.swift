/// Text → ranked intents with a calibrated confidence. Built from the knowledge
/// at start-up: a softmax classifier trained on every intent's examples and its
/// key phrases (a phrase counts as a sample weighted by its weight).
struct IntentMatcher: Sendable {
    let tuning: MatcherTuning

    let analyzer: TextAnalyzer
    let intentIDs: [String]
    let fallbackID: String
    let threshold: Double
    private let model: SoftmaxModel
    private let fallbackIndex: Int

    init(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning()) {
        self.tuning = tuning
        let intents = knowledge.intents
        var extraVocabulary: [String] = []
        for intent in intents {
            extraVocabulary += intent.examples.map(\.text)
            extraVocabulary += intent.phrases.map(\.text)
        }
        let analyzer = TextAnalyzer(lexicon: knowledge.lexicon, extraVocabulary: extraVocabulary)
        var samples: [SoftmaxModel.Sample] = []
        for (label, intent) in intents.enumerated() {
            for example in intent.examples {
                samples.append(.init(features: Self.features(analyzer.analyze(example.text).terms), label: label, weight: 1))
            }
            for phrase in intent.phrases {
                let terms = analyzer.analyze(phrase.text).terms
                guard !terms.isEmpty else { continue }
                samples.append(.init(features: Self.features(terms), label: label,
                                     weight: tuning.phraseSampleWeight * phrase.weight / 2))
            }
        }
        self.analyzer = analyzer
        self.intentIDs = intents.map(\.id)
        self.fallbackIndex = intents.firstIndex { $0.role == .fallback } ?? -1
        self.fallbackID = fallbackIndex >= 0 ? intents[fallbackIndex].id : "out_of_scope"
        self.threshold = knowledge.settings.answerThreshold
        self.model = SoftmaxModel(classCount: max(1, intents.count), samples: samples,
                                  training: .init(epochs: tuning.epochs, learningRate: tuning.learningRate, l2: tuning.l2))
    }

    /// Unigram and bigram features of a term sequence.
    static func features(_ terms: [String]) -> [String] {
        var features = terms
        if terms.count > 1 {
            for i in 0..<(terms.count - 1) { features.append(terms[i] + " " + terms[i + 1]) }
        }
        return features
    }

    func classify(_ text: String) -> Classification {
        classify(analyzer.analyze(text))
    }

    func classify(_ analysis: MessageAnalysis) -> Classification {
        let (logits, known) = model.logits(Self.features(analysis.terms))
        guard known > 0, !intentIDs.isEmpty else {
            // Nothing in the message is anything the knowledge has ever seen.
            return Classification(intent: fallbackID, confidence: 1, platform: analysis.platform,
                                  ranked: [.init(intent: fallbackID, confidence: 1)])
        }
        var probabilities = logits.map { $0 / tuning.temperature }
        SoftmaxModel.softmaxInPlace(&probabilities)
        let ranked = zip(intentIDs, probabilities)
            .map { Classification.Candidate(intent: $0.0, confidence: $0.1) }
            .sorted { $0.confidence > $1.confidence }
        let best = ranked[0]
        if best.intent != fallbackID && best.confidence < threshold {
            return Classification(intent: fallbackID, confidence: 1 - best.confidence,
                                  platform: analysis.platform, ranked: ranked)
        }
        return Classification(intent: best.intent, confidence: best.confidence,
                              platform: analysis.platform, ranked: ranked)
    }
}

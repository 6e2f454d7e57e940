/// Text → ranked intents with a calibrated confidence: a softmax classifier
/// trained on every intent's examples and its key phrases (a phrase counts as a
/// sample weighted by its weight).
///
/// - ``MatcherKind/lexical``: the features are the analyser's terms (stems,
///   concepts, negation) and their bigrams; trained at start-up in milliseconds.
/// - ``MatcherKind/hybrid``: the same terms plus the message's sentence
///   embedding, in one classifier. Encoding every example takes seconds, so it is
///   trained once by ``compile(knowledge:tuning:embedder:key:progress:)`` and
///   rebuilt from the resulting ``CompiledMatcher``.
struct IntentMatcher: Sendable {
    let kind: MatcherKind
    let tuning: MatcherTuning
    let analyzer: TextAnalyzer
    let intentIDs: [String]
    let fallbackID: String
    let threshold: Double
    private let model: SoftmaxModel
    private let embedder: (any SentenceEmbedder)?

    /// One training sample before feature extraction.
    struct TrainingText {
        var text: String
        var label: Int
        var weight: Double
        var isPhrase: Bool
    }

    /// The lexical matcher, trained now.
    init(knowledge: KnowledgeBase, tuning: MatcherTuning = MatcherTuning()) {
        let analyzer = Self.analyzer(for: knowledge)
        let samples = Self.trainingTexts(knowledge, tuning).compactMap { sample -> SoftmaxModel.Sample? in
            let terms = analyzer.analyze(sample.text).terms
            guard !terms.isEmpty || !sample.isPhrase else { return nil }
            return .init(features: Self.features(terms), label: sample.label, weight: sample.weight)
        }
        let model = SoftmaxModel(classCount: max(1, knowledge.intents.count), samples: samples,
                                 training: .init(epochs: tuning.epochs, learningRate: tuning.learningRate, l2: tuning.l2))
        self.init(kind: .lexical, knowledge: knowledge, tuning: tuning, analyzer: analyzer, model: model, embedder: nil)
    }

    /// The hybrid matcher, rebuilt from `compiled` (which must come from
    /// ``compile(knowledge:tuning:embedder:key:progress:)`` on the same knowledge and embedder).
    init(knowledge: KnowledgeBase, tuning: MatcherTuning, embedder: any SentenceEmbedder, compiled: CompiledMatcher) {
        self.init(kind: .hybrid, knowledge: knowledge, tuning: tuning, analyzer: Self.analyzer(for: knowledge),
                  model: SoftmaxModel(parameters: compiled.parameters), embedder: embedder)
    }

    /// The hybrid matcher around a model trained by ``train(knowledge:tuning:texts:embedding:)``.
    init(knowledge: KnowledgeBase, tuning: MatcherTuning, embedder: any SentenceEmbedder, model: SoftmaxModel) {
        self.init(kind: .hybrid, knowledge: knowledge, tuning: tuning, analyzer: Self.analyzer(for: knowledge),
                  model: model, embedder: embedder)
    }

    private init(kind: MatcherKind, knowledge: KnowledgeBase, tuning: MatcherTuning, analyzer: TextAnalyzer,
                 model: SoftmaxModel, embedder: (any SentenceEmbedder)?) {
        let intents = knowledge.intents
        self.kind = kind
        self.tuning = tuning
        self.analyzer = analyzer
        self.intentIDs = intents.map(\.id)
        let fallbackIndex = intents.firstIndex { $0.role == .fallback }
        self.fallbackID = fallbackIndex.map { intents[$0].id } ?? "out_of_scope"
        self.threshold = knowledge.settings.answerThreshold
        self.model = model
        self.embedder = embedder
    }

    /// Encodes every training text with `embedder` (or takes its embedding from `reuse`) and
    /// trains the hybrid classifier. Deterministic: the same knowledge, tuning and embeddings
    /// give the same weights.
    /// - Parameter progress: called after each text with (done, total).
    static func compile(knowledge: KnowledgeBase, tuning: MatcherTuning, embedder: any SentenceEmbedder,
                        key: String, reuse: [String: [Float]] = [:],
                        progress: (Int, Int) -> Void = { _, _ in }) -> CompiledMatcher {
        let texts = trainingTexts(knowledge, tuning)
        var table: [String: [Float]] = [:]
        var order: [String] = []
        for (done, sample) in texts.enumerated() {
            if table[sample.text] == nil {
                let cached = reuse[sample.text].flatMap { $0.count == embedder.dimension ? $0 : nil }
                table[sample.text] = cached ?? embedder.embed(TextNormalizer.cut(sample.text))
                order.append(sample.text)
            }
            progress(done + 1, texts.count)
        }
        let model = train(knowledge: knowledge, tuning: tuning, texts: texts) { table[$0] ?? [] }
        return CompiledMatcher(key: key, intentIDs: knowledge.intents.map(\.id), parameters: model.parameters,
                               texts: order, embeddings: order.flatMap { table[$0] ?? [] })
    }

    /// Trains the hybrid classifier on `texts` with their embeddings.
    static func train(knowledge: KnowledgeBase, tuning: MatcherTuning, texts: [TrainingText],
                      embedding: (String) -> [Float]) -> SoftmaxModel {
        let analyzer = analyzer(for: knowledge)
        let samples = texts.map { sample in
            SoftmaxModel.Sample(features: features(analyzer.analyze(sample.text).terms), dense: embedding(sample.text),
                                label: sample.label, weight: sample.weight)
        }
        return SoftmaxModel(classCount: max(1, knowledge.intents.count), samples: samples,
                            training: .init(epochs: tuning.hybridEpochs, learningRate: tuning.hybridLearningRate,
                                            l2: tuning.l2, denseScale: tuning.denseScale))
    }

    /// The texts the classifier learns from, in a fixed order: every example (weight 1), then
    /// every key phrase (weighted by its weight).
    static func trainingTexts(_ knowledge: KnowledgeBase, _ tuning: MatcherTuning) -> [TrainingText] {
        var texts: [TrainingText] = []
        for (label, intent) in knowledge.intents.enumerated() {
            for example in intent.examples {
                texts.append(.init(text: example.text, label: label, weight: 1, isPhrase: false))
            }
            for phrase in intent.phrases {
                texts.append(.init(text: phrase.text, label: label, weight: tuning.phraseSampleWeight * phrase.weight / 2,
                                   isPhrase: true))
            }
        }
        return texts
    }

    /// The analyser for `knowledge`: its lexicon, with every example and phrase as
    /// vocabulary that typo correction may correct towards.
    static func analyzer(for knowledge: KnowledgeBase) -> TextAnalyzer {
        var vocabulary: [String] = []
        for intent in knowledge.intents {
            vocabulary += intent.examples.map(\.text)
            vocabulary += intent.phrases.map(\.text)
        }
        return TextAnalyzer(lexicon: knowledge.lexicon, extraVocabulary: vocabulary)
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
        classify(analyzer.analyze(TextNormalizer.cut(text)))
    }

    /// What the message's words alone say: the hybrid model without the sentence embedding
    /// (for the lexical matcher, its ordinary verdict). A very short message that the encoder
    /// places near a topic, with no word that belongs to it ("calls"), is told apart by this.
    func lexicalVerdict(_ analysis: MessageAnalysis) -> Classification {
        guard embedder != nil else { return classify(analysis) }
        return verdict(model.logits(Self.features(analysis.terms)).logits, temperature: tuning.hybridTemperature,
                       platform: analysis.platform)
    }

    /// Classifies an analysed message; the hybrid matcher also encodes `analysis.text`.
    func classify(_ analysis: MessageAnalysis) -> Classification {
        guard !intentIDs.isEmpty else {
            return Classification(intent: fallbackID, confidence: 1, platform: analysis.platform,
                                  ranked: [.init(intent: fallbackID, confidence: 1)])
        }
        let features = Self.features(analysis.terms)
        let logits: [Double]
        if let embedder {
            // The encoder reads every message, so a message with no known word is still
            // judged on its meaning rather than sent to the fallback by rule.
            logits = model.logits(features, dense: embedder.embed(analysis.text)).logits
        } else {
            let (lexical, known) = model.logits(features)
            guard known > 0 else {
                // Nothing in the message is anything the lexical knowledge has ever seen.
                return Classification(intent: fallbackID, confidence: 1, platform: analysis.platform,
                                      ranked: [.init(intent: fallbackID, confidence: 1)])
            }
            logits = lexical
        }
        return verdict(logits, temperature: kind == .hybrid ? tuning.hybridTemperature : tuning.temperature,
                       platform: analysis.platform)
    }

    /// Softmax over `logits`, ranked, with the answer threshold applied.
    private func verdict(_ logits: [Double], temperature: Double, platform: Platform?) -> Classification {
        var probabilities = logits.map { $0 / temperature }
        SoftmaxModel.softmaxInPlace(&probabilities)
        let ranked = zip(intentIDs, probabilities)
            .map { Classification.Candidate(intent: $0.0, confidence: $0.1) }
            .sorted { $0.confidence > $1.confidence }
        let best = ranked[0]
        if best.intent != fallbackID && best.confidence < threshold {
            return Classification(intent: fallbackID, confidence: 1 - best.confidence, platform: platform, ranked: ranked)
        }
        return Classification(intent: best.intent, confidence: best.confidence, platform: platform, ranked: ranked)
    }
}

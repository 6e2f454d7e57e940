/// The text pipeline shared by knowledge and messages: normalise → correct typos →
/// find platform words and cues → stem → replace concept terms by `#concept` →
/// drop stop words → mark negation. Built once from the lexicon.
public struct TextAnalyzer: Sendable {
    /// Words that negate the next content term (`not blocked` → `!#block`).
    static let negators: Set<String> = [
        "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont",
        "cant", "cannot", "couldnt", "wouldnt", "shouldnt", "hasnt", "havent", "hadnt", "without", "nor", "aint",
    ]

    private let corrector: TypoCorrector
    private let conceptIndex: PhraseIndex<String>
    private let platformIndex: PhraseIndex<Platform>
    private let cuePhrases: [(cue: DialogueCue, stems: [String])]
    private let stopwords: Set<String>
    private let respellings: [String: String]
    private let anchors: Set<String>
    /// The term added to a message that has none of the lexicon's anchors.
    public static let noAnchorTerm = "@no_anchor"

    /// Builds the analyser. `extraVocabulary` holds the other knowledge text (examples,
    /// phrases) whose words typo correction may correct towards.
    public init(lexicon: Lexicon, extraVocabulary: [String]) {
        var vocabulary: [String: Int] = [:]
        func learn(_ text: String) {
            for word in TextNormalizer.tokens(text) { vocabulary[word, default: 0] += 1 }
        }
        extraVocabulary.forEach(learn)
        lexicon.concepts.forEach { $0.terms.forEach(learn) }
        lexicon.platformTerms.values.forEach { $0.forEach(learn) }
        lexicon.cues.values.forEach { $0.forEach(learn) }
        lexicon.stopwords.forEach(learn)
        Self.negators.forEach { vocabulary[$0, default: 0] += 1 }
        corrector = TypoCorrector(vocabulary: vocabulary)
        respellings = lexicon.respellings

        let stem = { (text: String) in TextNormalizer.tokens(text).map(Stemmer.stem) }
        // A stem shared by words of different concepts (`calling` and `call`) is
        // ambiguous: there, only the exact word matches.
        var conceptsOfStem: [String: Set<String>] = [:]
        for concept in lexicon.concepts {
            for term in concept.terms {
                for word in TextNormalizer.tokens(term) { conceptsOfStem[Stemmer.stem(word), default: []].insert(concept.name) }
            }
        }
        var concepts = PhraseIndex<String>(exactWhere: Set(conceptsOfStem.filter { $0.value.count > 1 }.keys))
        // A multi-word term also matches with another concept's one-word synonyms in it:
        // "deleted whatsapp" matches "deleted wa".
        var synonyms: [String: [String]] = [:]
        for concept in lexicon.concepts {
            let single = concept.terms.map { TextNormalizer.tokens($0) }.filter { $0.count == 1 }.map { $0[0] }
            let stems = single.map(Stemmer.stem)
            // True synonyms only: inflections (`call`, `calls`) are the stemmer's business.
            for (i, word) in single.enumerated() {
                synonyms[word, default: []] += single.indices.filter { stems[$0] != stems[i] }.map { single[$0] }
            }
        }
        for concept in lexicon.concepts {
            for term in concept.terms {
                let words = TextNormalizer.tokens(term)
                var variants = [words]
                if words.count > 1 {
                    for (i, word) in words.enumerated() {
                        for synonym in synonyms[word] ?? [] {
                            var variant = words
                            variant[i] = synonym
                            variants.append(variant)
                        }
                    }
                }
                for variant in variants {
                    concepts.insert(variant.map(Stemmer.stem), words: variant, value: "#" + concept.name)
                }
            }
        }
        concepts.finish()
        conceptIndex = concepts
        var platforms = PhraseIndex<Platform>()
        for (platform, terms) in lexicon.platformTerms {
            for term in terms { platforms.insert(TextNormalizer.tokens(term), value: platform) }
        }
        platforms.finish()
        platformIndex = platforms
        cuePhrases = DialogueCue.allCases.flatMap { cue in
            (lexicon.cues[cue] ?? []).map { (cue, stem($0)) }
        }.sorted { $0.stems.count > $1.stems.count }
        // Compared with the exact word, not its stem: the stem of "quite" is "quit".
        stopwords = Set(lexicon.stopwords.flatMap { TextNormalizer.tokens($0) })
        anchors = Set(lexicon.anchors.flatMap { anchor -> [String] in
            if lexicon.concepts.contains(where: { $0.name == anchor }) { return ["#" + anchor, "!#" + anchor] }
            let stem = TextNormalizer.tokens(anchor).map(Stemmer.stem).joined(separator: " ")
            return [stem, "!" + stem]
        })
    }

    /// Analyses one message (or one piece of knowledge text).
    public func analyze(_ text: String) -> MessageAnalysis {
        let words = TextNormalizer.tokens(text).map { respellings[$0] ?? corrector.correct($0) }

        // Platform words are found on whole words, then left out of matching.
        var platform: Platform?
        var isPlatformWord = [Bool](repeating: false, count: words.count)
        var index = 0
        while index < words.count {
            if let match = platformIndex.longestMatch(in: words, at: index) {
                if platform == nil { platform = match.value }
                for k in index..<index + match.length { isPlatformWord[k] = true }
                index += match.length
            } else {
                index += 1
            }
        }

        let stems = words.map(Stemmer.stem)
        var cues: Set<DialogueCue> = []
        for phrase in cuePhrases where !cues.contains(phrase.cue) {
            if Self.containsLoosely(stems, phrase.stems) { cues.insert(phrase.cue) }
        }

        var terms: [String] = []
        var negatePending = false
        index = 0
        while index < stems.count {
            if isPlatformWord[index] { index += 1; continue }
            var term: String
            if let match = conceptIndex.longestMatch(in: stems, words: words, at: index) {
                term = match.value
                index += match.length
            } else {
                let stem = stems[index]
                index += 1
                if Self.negators.contains(words[index - 1]) {
                    negatePending = true
                    continue
                }
                if stopwords.contains(words[index - 1]) || stem.isEmpty { continue }
                term = stem
            }
            if negatePending {
                term = "!" + term
                negatePending = false
            }
            terms.append(term)
        }
        if !anchors.isEmpty, !terms.isEmpty, !terms.contains(where: anchors.contains) {
            terms.append(Self.noAnchorTerm)
        }
        return MessageAnalysis(words: words, terms: terms, platform: platform, cues: cues, text: text)
    }

    /// Whether `needle` occurs in `haystack` in order, with at most one extra word between
    /// its words; a negator may not be the extra word ("that never worked" is not "that worked").
    static func containsLoosely(_ haystack: [String], _ needle: [String]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        for start in haystack.indices where haystack[start] == first {
            var position = start
            var matched = true
            for word in needle.dropFirst() {
                if position + 1 < haystack.count, haystack[position + 1] == word {
                    position += 1
                } else if position + 2 < haystack.count, haystack[position + 2] == word,
                          !negators.contains(haystack[position + 1]) {
                    position += 2
                } else {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }
}

/// Word sequences → values, matched longest first at a position. Entries are
/// keyed by stems; at positions whose stem is in `exactWhere`, the exact word must match too.
struct PhraseIndex<Value: Sendable>: Sendable {
    private var byFirstKey: [String: [(keys: [String], words: [String], value: Value)]] = [:]
    private let exactWhere: Set<String>

    init(exactWhere: Set<String> = []) {
        self.exactWhere = exactWhere
    }

    /// Adds an entry; call ``finish()`` once after the last one.
    mutating func insert(_ keys: [String], words: [String]? = nil, value: Value) {
        guard let first = keys.first else { return }
        byFirstKey[first, default: []].append((keys, words ?? keys, value))
    }

    /// Orders each bucket longest first (stable), so the first match found is the longest.
    mutating func finish() {
        for key in byFirstKey.keys {
            byFirstKey[key] = byFirstKey[key]!.enumerated()
                .sorted { ($0.element.keys.count, $1.offset) > ($1.element.keys.count, $0.offset) }
                .map(\.element)
        }
    }

    func longestMatch(in keys: [String], words: [String]? = nil, at index: Int) -> (value: Value, length: Int)? {
        guard let candidates = byFirstKey[keys[index]] else { return nil }
        let words = words ?? keys
        for candidate in candidates where index + candidate.keys.count <= keys.count {
            var equal = true
            for k in 0..<candidate.keys.count {
                let key = keys[index + k]
                if key != candidate.keys[k] || (exactWhere.contains(key) && words[index + k] != candidate.words[k]) {
                    equal = false
                    break
                }
            }
            if equal { return (candidate.value, candidate.keys.count) }
        }
        return nil
    }
}

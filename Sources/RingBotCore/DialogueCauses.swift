/// Causes the user rules out ("his wifi works") and fixes already tried ("I restarted the app already").
extension Dialogue {
    /// Below this, the matcher's guess among a problem's causes is not trusted.
    static let causeFloor = 0.2

    /// The topics a problem's causes and fixes link to.
    func causeTopics(_ intent: Intent) -> [String] {
        var seen: Set<String> = []
        return (intent.causes.compactMap(\.topic) + intent.fixes.compactMap(\.topic)).filter { seen.insert($0).inserted }
    }

    /// "His wifi works", "I restarted the app already": remembers the cause and moves to the
    /// next one. Nil when the message names no cause of the problem at hand.
    func ruleOut(_ turn: Turn, current: Intent?, state: inout ConversationState) -> Reply? {
        let own = turn.role == .topic && turn.confident ? knowledge.intent(turn.result.intent) : nil
        let options = [current, current.flatMap { parents(of: $0).first }, own, own.flatMap { parents(of: $0).first }]
        guard let problem = options.compactMap({ $0 }).first(where: { !causeTopics($0).isEmpty }) else { return nil }
        let tried = turn.has(.alreadyTried)
        guard let cause = identifyCause(turn, among: causeTopics(problem)) else {
            guard tried, let current else { return nil }
            return nextFix(current, turn: turn, state: &state, intro: "OK, you've tried that already, so let's skip it.")
        }
        if !state.ruledOut.contains(cause) { state.ruledOut.append(cause) }
        let intro = tried ? "OK, you've already tried that, so I'll skip it." : "Thanks, that rules that cause out."
        if current == nil {
            return answer(problem, turn: turn, state: &state, intro: intro)
        }
        if state.topic != problem.id { state.topic = problem.id }
        return nextFix(problem, turn: turn, state: &state, intro: intro)
    }

    /// Which of `candidates` (cause topics) the message is about. Negations are left out to ask
    /// the matcher: "she never blocked me" is about the block.
    func identifyCause(_ turn: Turn, among candidates: [String]) -> String? {
        if turn.result.confidence >= Self.switchConfidence, candidates.contains(turn.result.intent) { return turn.result.intent }
        // The most specific phrase wins: "background data is on" over "data is on".
        let phrased = candidates.compactMap { id in ruledOutPhraseLength(turn, id).map { (id, $0) } }
        if let best = phrased.max(by: { $0.1 < $1.1 }) { return best.0 }
        if turn.confident, candidates.contains(turn.result.intent) { return turn.result.intent }
        let stripped = turn.analysis.words.filter { !TextAnalyzer.negators.contains($0) }.joined(separator: " ")
        let ranked = matcher.classify(stripped).ranked
        return ranked.first { candidates.contains($0.intent) && $0.confidence >= Self.causeFloor }?.intent
    }

    /// Whether the message says one of the topic's own `ruled_out_by` phrases.
    func ruledOutByPhrase(_ turn: Turn, _ topic: String) -> Bool {
        ruledOutPhraseLength(turn, topic) != nil
    }

    /// The word count of the longest `ruled_out_by` phrase of `topic` the message says, if any.
    func ruledOutPhraseLength(_ turn: Turn, _ topic: String) -> Int? {
        guard let intent = knowledge.intent(topic) else { return nil }
        let stems = turn.analysis.words.map(Stemmer.stem)
        return intent.ruledOutBy.map { TextNormalizer.tokens($0).map(Stemmer.stem) }
            .filter { TextAnalyzer.containsLoosely(stems, $0) }
            .map(\.count).max()
    }
}

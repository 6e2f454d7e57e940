import Foundation

/// The dialogue: turns one user message plus the conversation's state into a
/// reply and the next state. Pure: no I/O, the time is given.
///
/// Rules, in order:
/// 1. An idle conversation (30 minutes) starts afresh. Phones named are noted on both
///    phones of the conversation (the user's, the other person's).
/// 2. After "which one do you mean?", a choice (`1`, `2`, or naming one) answers that topic.
/// 3. A cause ruled out or a fix already tried is remembered and the next cause follows.
/// 4. "It rings now" closes the topic warmly; a plain "thanks" does not claim it works.
/// 5. With a topic under discussion and no clear new topic in the message: "that didn't
///    work" gives the next untried fix; follow-ups that only make sense in context
///    ("how?", "same for Android?", "pls") continue the topic (see `DialogueFollowUps`).
/// 6. Otherwise the message's own intent: greeting, goodbye, help, handoff, a new topic
///    (or a question naming the two close candidates). A message that is not a question on
///    its own is kept and read together with the next ones; else an honest "I don't know that".
struct Dialogue: Sendable {
    /// A follow-up that names a different topic switches to it only above this confidence.
    static let switchConfidence = 0.75
    /// Messages of at most this many words are never answered with the whole topic list.
    static let fragmentWords = 2
    /// Short messages that name the pack's domain but no topic are kept as fragments up to this length.
    static let anchoredFragmentWords = 6
    /// How many fragments are kept.
    static let fragmentMemory = 4

    let knowledge: KnowledgeBase
    let matcher: IntentMatcher
    let composer: AnswerComposer
    let phoneReader: PhoneMentionReader

    init(knowledge: KnowledgeBase, matcher: IntentMatcher) {
        self.knowledge = knowledge
        self.matcher = matcher
        self.composer = AnswerComposer(knowledge: knowledge)
        self.phoneReader = PhoneMentionReader(lexicon: knowledge.lexicon)
    }

    /// One user turn, read.
    struct Turn {
        var text: String
        var analysis: MessageAnalysis
        var result: Classification
        var role: IntentRole
        var confident: Bool
        var mentions: PhoneMentions
        /// The phones this turn filled: whose, and which platform.
        var named: [(owner: PhoneOwner, platform: Platform)]
        /// The platform whose steps the previous reply showed.
        var previousStepsPlatform: Platform?
        /// Phones named with no owner word, the owner guessed for them, and what that phone was before.
        var unowned: [(owner: PhoneOwner, platform: Platform, previous: Platform?)] = []

        func has(_ cue: DialogueCue) -> Bool { analysis.cues.contains(cue) }
        var wordCount: Int { analysis.words.count }
    }

    func respond(to text: String, state: inout ConversationState, now: Date) -> Reply {
        if let last = state.lastActivity, now.timeIntervalSince(last) > ConversationState.idleExpiry {
            state = ConversationState()
        }
        state.lastActivity = now
        let analysis = matcher.analyzer.analyze(text)
        let result = matcher.classify(analysis)
        let current = state.topic.flatMap { knowledge.intent($0) }
        let mentions = phoneReader.read(analysis.words, raw: TextNormalizer.tokens(text))
        var turn = Turn(text: text, analysis: analysis, result: result,
                        role: knowledge.intent(result.intent)?.role ?? .fallback,
                        confident: result.confidence >= matcher.threshold, mentions: mentions, named: [],
                        previousStepsPlatform: state.lastStepsPlatform)
        state.lastStepsPlatform = nil
        (turn.named, turn.unowned) = notePhones(turn, current: current, state: &state)
        var reply = respond(turn, current: current, state: &state)
        if reply.platform == nil { reply.platform = turn.named.last?.platform ?? state.platform }
        return reply
    }

    private func respond(_ turn: Turn, current: Intent?, state: inout ConversationState) -> Reply {
        let result = turn.result

        // 2. A pending "which one?"
        if !state.pendingChoice.isEmpty {
            let choices = state.pendingChoice
            state.pendingChoice = []
            if let pick = choice(analysis: turn.analysis, result: result, among: choices), let intent = knowledge.intent(pick) {
                return answer(intent, turn: turn, state: &state)
            }
        }

        // 3. A cause ruled out, or a fix already tried.
        if turn.has(.ruledOut) || turn.has(.alreadyTried) || namesRuledOutPhrase(turn),
           let reply = ruleOut(turn, current: current, state: &state) {
            return reply
        }

        // 4. Solved, or thanks.
        if turn.has(.fixed) && !turn.has(.notFixed) && !isQuestion(turn) {
            return solved(turn, state: &state)
        }
        if turn.role == .thanks && !turn.has(.notFixed) && !isQuestion(turn) {
            return thanked(turn, current: current, state: &state)
        }

        // 5. Continuing the topic under discussion.
        if let current, !isSwitching(turn, from: current) {
            let repeatsTopic = turn.role == .topic && (result.intent == current.id || isParent(result.intent, of: current))
            // A few words naming the same problem again ("not ringing") finish a description typed in
            // pieces; a longer restatement after a fix means it did not help.
            let shortRepeat = repeatsTopic && turn.wordCount <= Self.shortUnclear
            if turn.has(.notFixed) || isBareNo(turn) || (repeatsTopic && !shortRepeat && !state.fixesGiven.isEmpty
                                                          && turn.named.isEmpty && turn.analysis.platform == nil) {
                return nextFix(current, turn: turn, state: &state, intro: nil)
            }
            if let reply = followUp(turn, current: current, state: &state) { return reply }
        }

        // 6. The message's own intent.
        return ownIntent(turn, current: current, state: &state)
    }

    private func ownIntent(_ turn: Turn, current: Intent?, state: inout ConversationState) -> Reply {
        let result = turn.result
        let intent = knowledge.intent(result.intent)
        switch turn.role {
        case .greeting:
            return reply(result.intent, state, result, ReplyDocument([.paragraph(intent?.summary ?? "Hello!")]))
        case .goodbye:
            let kept = state
            state = ConversationState(platform: kept.platform, lastActivity: kept.lastActivity,
                                      userPlatform: kept.userPlatform, otherPlatform: kept.otherPlatform)
            return reply(result.intent, state, result, ReplyDocument([.paragraph(intent?.summary ?? "Bye!")]))
        case .handoff:
            return reply(result.intent, state, result, composer.handoff(lead: intent))
        case .help where state.fragments.isEmpty && !(isFragment(turn) && result.confidence < Self.switchConfidence):
            // A weak guess at "help" for a message shaped like a fragment ("i have a problem") is
            // the start of a question, not a request for the menu.
            return reply(result.intent, state, result, composer.help(intent))
        case .topic:
            if let intent, turn.confident, wordsPoint(to: intent.id, turn) {
                if let second = result.ranked.dropFirst().first,
                   knowledge.intent(second.intent)?.role == .topic,
                   result.confidence - second.confidence < knowledge.settings.clarifyMargin,
                   let other = knowledge.intent(second.intent) {
                    state.pendingChoice = [intent.id, other.id]
                    state.offered = [intent.id, other.id]
                    var clarification = reply(intent.id, state, result, composer.clarify(intent, other))
                    clarification.answered = false
                    return clarification
                }
                return answer(intent, turn: turn, state: &state)
            }
            return notUnderstood(turn, current: current, state: &state)
        case .help, .fallback, .thanks:
            return notUnderstood(turn, current: current, state: &state)
        }
    }

    /// A message with no topic of its own and nothing to lean on: read it with the earlier
    /// fragments; keep it as a fragment when it is not a question on its own; else say so.
    private func notUnderstood(_ turn: Turn, current: Intent?, state: inout ConversationState) -> Reply {
        let result = turn.result
        if !state.fragments.isEmpty {
            let joinedAnalysis = matcher.analyzer.analyze((state.fragments + [turn.text]).joined(separator: " "))
            let joined = matcher.classify(joinedAnalysis)
            // Pieces read together are weaker evidence than one message: they must point clearly
            // to a topic ("my whatsapp" + "calls" + "just say calling"), not vaguely ("i have a
            // problem" + "with whatsapp calls" still asks to go on).
            if joined.confidence >= Self.switchConfidence, let intent = knowledge.intent(joined.intent), intent.role == .topic,
               wordsPoint(to: intent.id, joinedAnalysis) {
                var joinedTurn = turn
                joinedTurn.result = joined
                return answer(intent, turn: joinedTurn, state: &state)
            }
        }
        if turn.has(.notFixed) && current == nil {
            var response = reply(result.intent, state, result, ReplyDocument([
                .paragraph("Sorry to hear that. " + knowledge.settings.askMore),
            ]))
            response.answered = false
            return response
        }
        if isFragment(turn) {
            state.fragments = Array((state.fragments + [turn.text]).suffix(Self.fragmentMemory))
            var prompt = reply(matcher.fallbackID, state, result, composer.fragmentPrompt())
            prompt.awaitsMore = true
            return prompt
        }
        state.fragments = []
        var response = reply(matcher.fallbackID, state, result, composer.fallback(knowledge.intent(role: .fallback)))
        response.answered = false
        return response
    }

    /// A message of one or two words answers a topic only when its words themselves point to
    /// that topic ("dnd", "blocked"), not when only the sentence encoder places it near one
    /// ("calls", "my calls"): those are fragments of a question still being typed.
    private func wordsPoint(to topic: String, _ turn: Turn) -> Bool {
        turn.wordCount > Self.fragmentWords || wordsPoint(to: topic, turn.analysis)
    }

    /// Whether the words of `analysis` alone rank `topic` first among the topics. Fragments
    /// read together must pass this too: "my calls" + "help" is still not a question.
    func wordsPoint(to topic: String, _ analysis: MessageAnalysis) -> Bool {
        let words = matcher.lexicalVerdict(analysis)
        return words.ranked.first { knowledge.intent($0.intent)?.role == .topic }?.intent == topic
    }

    /// Not a question on its own: one or two words, or a few words about calls with no question mark.
    private func isFragment(_ turn: Turn) -> Bool {
        let count = turn.wordCount
        guard count > 0 else { return false }
        if count <= Self.fragmentWords { return true }
        // "I have a problem": a few words announcing a question still to come.
        if count <= Self.anchoredFragmentWords && turn.has(.plea) && !turn.text.contains("?") { return true }
        // Anchored: the knowledge has domain anchors and the message names one of them.
        let anchored = !knowledge.lexicon.anchors.isEmpty && !turn.analysis.terms.isEmpty
            && !turn.analysis.terms.contains(TextAnalyzer.noAnchorTerm)
        return count <= Self.anchoredFragmentWords && anchored && !turn.text.contains("?")
    }

    /// Words that open a question: "how do I fix it" is not "fixed it".
    static let questionWords: Set<String> = [
        "how", "what", "why", "where", "when", "which", "can", "could", "will", "would", "should", "do", "does", "is", "are",
    ]

    /// A question, by its question mark or its first word.
    func isQuestion(_ turn: Turn) -> Bool {
        turn.text.contains("?") || turn.analysis.words.first.map(Self.questionWords.contains) == true
    }

    /// "No" on its own, after a suggestion: it did not help.
    func isBareNo(_ turn: Turn) -> Bool {
        turn.analysis.words.count <= 2 && ["no", "nah", "nope"].contains(turn.analysis.words.first ?? "")
    }

    /// Whether the message says a `ruled_out_by` phrase of any topic.
    private func namesRuledOutPhrase(_ turn: Turn) -> Bool {
        knowledge.intents.contains { !$0.ruledOutBy.isEmpty && ruledOutByPhrase(turn, $0.id) }
    }

    /// A message clearly names another topic: a confident match that is not the current topic
    /// or its parent, and, when the message also reads as a follow-up ("is there a way to
    /// check?"), whose own words point to that topic.
    private func isSwitching(_ turn: Turn, from current: Intent) -> Bool {
        guard turn.role == .topic && turn.result.intent != current.id && turn.confident
            && turn.result.confidence >= Self.switchConfidence && !isParent(turn.result.intent, of: current) else { return false }
        return turn.analysis.cues.isDisjoint(with: Self.followUpCues) || wordsPoint(to: turn.result.intent, turn.analysis)
    }

    // MARK: - Closing

    private func solved(_ turn: Turn, state: inout ConversationState) -> Reply {
        let thanks = knowledge.intent(role: .thanks)
        state.topic = nil
        state.fixesGiven = []
        state.ruledOut = []
        state.fragments = []
        return reply(thanks?.id ?? turn.result.intent, state, turn.result,
                     ReplyDocument([.paragraph(thanks?.summary ?? "Glad it works now!")]))
    }

    /// A plain "thanks": polite, but it does not claim the calls ring now, and the topic stays open.
    private func thanked(_ turn: Turn, current: Intent?, state: inout ConversationState) -> Reply {
        var text = "You're welcome!"
        if let current, !current.fixes.isEmpty || !state.fixesGiven.isEmpty {
            let skip = Set(state.fixesGiven.compactMap { Self.localFixID($0, of: current) })
            let left = ([current] + parents(of: current)).contains {
                !composer.untried($0, skipping: skip, ruledOut: Set(state.ruledOut)).isEmpty
            }
            text += left
                ? " If your calls still don't ring, tell me and I'll give you the next thing to try."
                : " If your calls still don't ring, our support team can look into it: " + knowledge.settings.contact
        } else {
            text += " If anything else comes up with your WhatsApp calls, just ask."
        }
        return reply(turn.result.intent, state, turn.result, ReplyDocument([.paragraph(text)]))
    }

    // MARK: - Steps

    func answer(_ intent: Intent, turn: Turn, state: inout ConversationState, intro: String? = nil) -> Reply {
        if state.topic != intent.id {
            state.fixesGiven = []
            // "How do I turn off DND on iPhone?": a phone named with no owner in a new question
            // is the one this topic's first steps are done on (when they depend on the phone).
            let first = composer.untried(intent, skipping: [], ruledOut: Set(state.ruledOut)).first
            let needed = composer.doer(of: first, in: intent)
            if first.map(\.steps.isPlatformSpecific) ?? intent.steps.isPlatformSpecific {
                for guess in turn.unowned where guess.owner != needed {
                    if guess.owner == .user { state.userPlatform = guess.previous } else { state.otherPlatform = guess.previous }
                    state.setPlatform(guess.platform, of: needed)
                }
            }
        }
        let (composed, given) = composer.answer(intent, phones: PhoneContext(state), ruledOut: Set(state.ruledOut),
                                                withCauses: turn.has(.listCauses), intro: intro)
        state.topic = intent.id
        state.fixesGiven = given.map { Self.qualifiedFixID($0, of: intent) }
        state.fragments = []
        state.lastStepsPlatform = composed.stepsPlatform
        if !composed.offered.isEmpty { state.offered = composed.offered }
        return Reply(intent: intent.id, platform: composed.stepsPlatform, confidence: turn.result.confidence,
                     document: composed.document, answered: true, bestGuess: turn.result.ranked.first)
    }

    func nextFix(_ topic: Intent, turn: Turn, state: inout ConversationState, intro: String?) -> Reply {
        // The topic's own fixes first; then those of the topics it is a cause of
        // (skipping their fix for this very cause, already given).
        let ruledOut = Set(state.ruledOut)
        for candidate in [topic] + parents(of: topic) {
            var skip = Set(state.fixesGiven.compactMap { Self.localFixID($0, of: candidate) })
            if candidate.id != topic.id { skip.formUnion(candidate.fixes.filter { $0.topic == topic.id }.map(\.id)) }
            if ruledOut.contains(candidate.id) && candidate.id != topic.id { continue }
            if let (composed, fix) = composer.nextFix(candidate, phones: PhoneContext(state), skipping: skip,
                                                      ruledOut: ruledOut, intro: intro) {
                state.fixesGiven.append(Self.qualifiedFixID(fix, of: candidate))
                state.lastStepsPlatform = composed.stepsPlatform
                return Reply(intent: topic.id, platform: composed.stepsPlatform, confidence: turn.result.confidence,
                             document: composed.document, answered: true, bestGuess: turn.result.ranked.first)
            }
        }
        return reply(topic.id, state, turn.result, composer.outOfFixes(intro: intro))
    }

    /// Fix ids in the state are qualified by their topic: `stuck_on_calling/unblock`.
    static func qualifiedFixID(_ fix: Fix, of intent: Intent) -> String { intent.id + "/" + fix.id }

    static func localFixID(_ qualified: String, of intent: Intent) -> String? {
        qualified.hasPrefix(intent.id + "/") ? String(qualified.dropFirst(intent.id.count + 1)) : nil
    }

    /// The fix given last and the topic it belongs to.
    func currentFix(_ state: ConversationState) -> (intent: Intent, fix: Fix)? {
        guard let qualified = state.fixesGiven.last, let slash = qualified.firstIndex(of: "/"),
              let intent = knowledge.intent(String(qualified[..<slash])) else { return nil }
        let id = String(qualified[qualified.index(after: slash)...])
        return intent.fixes.first { $0.id == id }.map { (intent, $0) }
    }

    private func choice(analysis: MessageAnalysis, result: Classification, among choices: [String]) -> String? {
        let words = Set(analysis.words)
        if !words.isDisjoint(with: ["one", "first", "a"]), choices.count > 0, analysis.words.count <= 3 { return choices[0] }
        if !words.isDisjoint(with: ["two", "second", "b"]), choices.count > 1, analysis.words.count <= 3 { return choices[1] }
        if choices.contains(result.intent) { return result.intent }
        let best = result.ranked.first { choices.contains($0.intent) }
        if let best, best.confidence >= 0.2 { return best.intent }
        return nil
    }

    /// Topics whose causes or fixes link to `topic` (e.g. "stuck on calling" for "blocked").
    func parents(of topic: Intent) -> [Intent] {
        knowledge.intents.filter { candidate in
            candidate.id != topic.id
                && (candidate.causes.contains { $0.topic == topic.id } || candidate.fixes.contains { $0.topic == topic.id })
        }
    }

    func isParent(_ id: String, of topic: Intent) -> Bool {
        parents(of: topic).contains { $0.id == id }
    }

    func reply(_ intent: String, _ state: ConversationState, _ result: Classification,
               _ document: ReplyDocument, platform: Platform? = nil) -> Reply {
        Reply(intent: intent, platform: platform, confidence: result.confidence, document: document,
              answered: true, bestGuess: result.ranked.first)
    }
}

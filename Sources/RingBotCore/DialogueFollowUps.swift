/// Follow-ups that only make sense after the bot's last answer ("how?", "same for Android?",
/// "and the other one?", "pls"): read with the topic under discussion as context.
extension Dialogue {
    /// Cues that only make sense as a follow-up of the topic under discussion.
    static let followUpCues: Set<DialogueCue> = [
        .listCauses, .ownSide, .askHow, .askCheck, .askAfter, .askOther, .askWhy, .goOn, .plea, .acknowledge,
    ]
    /// An out-of-scope verdict this sure, on a message with more content words than a
    /// follow-up has, is a new question rather than a follow-up.
    static let clearlyOutOfScope = 0.95
    static let followUpTerms = 4
    /// An unclear message this short, with no follow-up cue, still leans on the topic.
    static let shortUnclear = 3

    /// A message with no topic of its own, read as a follow-up of `current`; nil when it is not one.
    func followUp(_ turn: Turn, current: Intent, state: inout ConversationState) -> Reply? {
        guard leansOnTopic(turn, current: current) else { return nil }
        let given = currentFix(state)
        let fixInfo = given.flatMap { $0.intent.id == current.id || isParent($0.intent.id, of: current) ? $0 : nil }
        let stepsIntent = fixInfo?.intent ?? current
        let fix = fixInfo?.fix
        let phones = PhoneContext(state)
        let result = turn.result

        if turn.has(.ownSide) {
            return composed(current, turn, composer.ownSideAnswer(stepsIntent, fix: fix, phones: phones), state: &state)
        }
        if !turn.named.isEmpty {
            return platformReply(turn, current: current, intent: stepsIntent, fix: fix, state: &state)
        }
        if turn.has(.listCauses), let problem = ([current] + parents(of: current)).first(where: { !$0.causes.isEmpty }) {
            var document = composer.causeList(problem, ruledOut: Set(state.ruledOut))
            document.append(.paragraph("Tell me if one of them is already ruled out, or if what I suggested didn't help, and I'll go on to the next."))
            state.topic = problem.id
            return reply(problem.id, state, result, document)
        }
        if turn.has(.askOther), let reply = otherOne(turn, current: current, intent: stepsIntent, fix: fix, state: &state) {
            return reply
        }
        // "The first one" after "You can also ask me about: A; B."
        if !state.offered.contains(current.id), turn.wordCount <= 6,
           let pick = ordinalChoice(turn.analysis.words, among: state.offered), let intent = knowledge.intent(pick) {
            return answer(intent, turn: turn, state: &state)
        }
        if turn.has(.askCheck), let fix {
            return reply(current.id, state, result, ReplyDocument([.paragraph("The surest way to check: " + lowercasedFirst(fix.text))]))
        }
        if turn.has(.askAfter), fix != nil || !current.steps.isEmpty {
            let left = hasUntriedFix(current, state: state)
            return reply(current.id, state, result, ReplyDocument([.paragraph(
                "Once that's done, call them again on WhatsApp: if it shows Ringing, it worked. "
                + (left ? "If it still doesn't ring, tell me and I'll give you the next thing to try."
                        : "If it still doesn't ring, tell me and I'll tell you how to reach a person."))]))
        }
        if turn.has(.askHow), fix != nil || !current.steps.isEmpty {
            return composed(current, turn, composer.stepsAnswer(stepsIntent, fix: fix, phones: phones), state: &state)
        }
        if turn.has(.askWhy) {
            let linked = fix?.topic.flatMap { knowledge.intent($0) }
            let text = linked?.explanation ?? current.explanation ?? current.summary
            return reply(current.id, state, result, ReplyDocument([.paragraph(text)]))
        }
        if turn.has(.goOn) || turn.has(.plea) {
            if current.fixes.isEmpty && parents(of: current).isEmpty {
                return reply(current.id, state, result, ReplyDocument([.paragraph(current.explanation ?? current.summary)]))
            }
            return nextFix(current, turn: turn, state: &state, intro: nil)
        }
        // "Will that fix it?" reads as thanks to the matcher; it is a question about the suggestion.
        if turn.has(.acknowledge) || turn.role == .thanks {
            let text = fix != nil || !current.steps.isEmpty
                ? "Give it a try and tell me whether it rings. If it doesn't, I'll give you the next thing to try."
                : "Great. If anything else comes up with your WhatsApp calls, just ask."
            return reply(current.id, state, result, ReplyDocument([.paragraph(text)]))
        }
        if turn.role == .topic && turn.result.intent == current.id && turn.wordCount <= Self.shortUnclear, let fix {
            return reply(current.id, state, result, ReplyDocument([.paragraph(
                "Yes, that's the problem I'm helping with. The thing to try now: \(lowercasedFirst(fix.title)). "
                + (hasUntriedFix(current, state: state)
                    ? "If it doesn't help, tell me and I'll go on to the next likely cause."
                    : "If it doesn't help, tell me and I'll tell you how to reach a person."))]))
        }
        if turn.role == .fallback && turn.wordCount <= Self.shortUnclear {
            var text = "Sorry, I didn't quite get that. We were looking at this: \(current.title)."
            if fix != nil {
                text += " Did my last suggestion help? If not, tell me and I'll give you the next thing to try."
            } else {
                text += " Ask me how to do it, or tell me what happens now."
            }
            return reply(current.id, state, result, ReplyDocument([.paragraph(text)]))
        }
        return nil
    }

    /// Whether a message has no topic of its own and so continues `current`: not a clear other
    /// topic, not a goodbye or a request for a person, and not a clearly out-of-scope question
    /// with words of its own ("how do I back up my chats").
    func leansOnTopic(_ turn: Turn, current: Intent) -> Bool {
        if turn.role == .topic && turn.confident {
            if turn.result.intent == current.id || isParent(turn.result.intent, of: current) { return true }
            // A weak guess at another topic does not outweigh a follow-up's own words; nor does a
            // guess the message's words do not point to ("is there any way to know for sure?"
            // reads like the statuses' topic to the sentence encoder, but names no topic).
            let weak = turn.result.confidence < Self.switchConfidence || !wordsPoint(to: turn.result.intent, turn.analysis)
            return weak && (!turn.named.isEmpty || !turn.analysis.cues.isDisjoint(with: Self.followUpCues))
        }
        if turn.confident && [.goodbye, .handoff, .greeting].contains(turn.role) { return false }
        if turn.role == .fallback && turn.result.confidence >= Self.clearlyOutOfScope {
            let content = turn.analysis.terms.filter { $0 != TextAnalyzer.noAnchorTerm }
            return content.count <= Self.followUpTerms
        }
        return true
    }

    /// A phone named mid-conversation: the steps of the current fix for the phone that does it,
    /// or, when the fix does not depend on the phone, a note that it was heard.
    private func platformReply(_ turn: Turn, current: Intent, intent: Intent, fix: Fix?,
                               state: inout ConversationState) -> Reply {
        let phones = PhoneContext(state)
        let steps = fix?.steps ?? intent.steps
        let heard = "Got it: " + turn.named.map { named in
            named.owner == .user ? "you're on \(named.platform.displayName)"
                : "\(phones.who(.other)) has \(named.platform == .ios ? "an iPhone" : "an Android phone")"
        }.joined(separator: ", and ") + "."
        guard steps.isPlatformSpecific else {
            return reply(current.id, state, turn.result, ReplyDocument([.paragraph(heard
                + " Nothing I've suggested so far depends on the phone; I'll show the steps for the right phone when a fix needs them.")]))
        }
        let owner = composer.doer(of: fix, in: intent)
        var answer = composer.stepsAnswer(intent, fix: fix, phones: phones)
        if !turn.named.contains(where: { $0.owner == owner }) {
            answer.document.blocks.insert(.paragraph(heard), at: 0)
        }
        return composed(current, turn, answer, state: &state)
    }

    /// "And the other one?": the other of two topics offered, the other phone's steps, or both statuses.
    private func otherOne(_ turn: Turn, current: Intent, intent: Intent, fix: Fix?,
                          state: inout ConversationState) -> Reply? {
        if state.offered.count == 2, state.offered.contains(current.id),
           let other = state.offered.first(where: { $0 != current.id }).flatMap({ knowledge.intent($0) }) {
            return answer(other, turn: turn, state: &state)
        }
        if let shown = turn.previousStepsPlatform, let otherPlatform = Platform.allCases.first(where: { $0 != shown }) {
            let answer = composer.stepsAnswer(intent, fix: fix, phones: PhoneContext(state), platform: otherPlatform)
            return composed(current, turn, answer, state: &state)
        }
        if current.fixes.isEmpty && current.steps.isEmpty {
            return reply(current.id, state, turn.result,
                         ReplyDocument([.paragraph(current.explanation ?? current.summary)]))
        }
        return nil
    }

    /// "the first one", "2": the topic picked from those offered, by position.
    func ordinalChoice(_ words: [String], among offered: [String]) -> String? {
        let set = Set(words)
        if offered.count > 0, !set.isDisjoint(with: ["first", "1", "former"]) { return offered[0] }
        if offered.count > 1, !set.isDisjoint(with: ["second", "2", "latter", "last"]) { return offered[1] }
        return nil
    }

    private func hasUntriedFix(_ current: Intent, state: ConversationState) -> Bool {
        ([current] + parents(of: current)).contains { candidate in
            let skip = Set(state.fixesGiven.compactMap { Self.localFixID($0, of: candidate) })
            return !composer.untried(candidate, skipping: skip, ruledOut: Set(state.ruledOut)).isEmpty
        }
    }

    private func composed(_ current: Intent, _ turn: Turn, _ composed: Composed, state: inout ConversationState) -> Reply {
        state.lastStepsPlatform = composed.stepsPlatform
        return reply(current.id, state, turn.result, composed.document, platform: composed.stepsPlatform)
    }
}

import Foundation

/// The dialogue: turns one user message plus the conversation's state into a
/// reply and the next state. Pure: no I/O, the time is given.
///
/// Rules, in order:
/// 1. An idle conversation (30 minutes) starts afresh.
/// 2. After "which one do you mean?", a choice (`1`, `2`, or naming one) answers that topic.
/// 3. "It rings now" / thanks closes the topic warmly.
/// 4. "That didn't work" gives the next fix of the current topic not yet given.
/// 5. A platform on its own ("iphone", "what about android?") answers the current topic for it.
/// 6. Otherwise the message's own intent: greeting, goodbye, help, handoff, a new topic
///    (or a question naming the two close candidates), or an honest "I don't know that".
struct Dialogue: Sendable {
    /// A follow-up that names a different topic switches to it only above this confidence.
    static let switchConfidence = 0.75

    let knowledge: KnowledgeBase
    let matcher: IntentMatcher
    let composer: AnswerComposer

    init(knowledge: KnowledgeBase, matcher: IntentMatcher) {
        self.knowledge = knowledge
        self.matcher = matcher
        self.composer = AnswerComposer(knowledge: knowledge)
    }

    func respond(to text: String, state: inout ConversationState, now: Date) -> Reply {
        if let last = state.lastActivity, now.timeIntervalSince(last) > ConversationState.idleExpiry {
            state = ConversationState()
        }
        state.lastActivity = now
        let analysis = matcher.analyzer.analyze(text)
        let result = matcher.classify(analysis)
        if let platform = analysis.platform { state.platform = platform }
        let current = state.topic.flatMap { knowledge.intent($0) }
        let role = knowledge.intent(result.intent)?.role ?? .fallback
        let confident = result.confidence >= matcher.threshold

        // 2. A pending "which one?"
        if !state.pendingChoice.isEmpty {
            let choices = state.pendingChoice
            state.pendingChoice = []
            if let pick = choice(analysis: analysis, result: result, among: choices), let intent = knowledge.intent(pick) {
                return answer(intent, state: &state, result: result)
            }
        }

        // 3. Solved.
        if role == .thanks || (analysis.cues.contains(.fixed) && !analysis.cues.contains(.notFixed)) {
            let thanks = knowledge.intent(role: .thanks)
            state.topic = nil
            state.fixesGiven = []
            return reply(thanks?.id ?? result.intent, state, result,
                         ReplyDocument([.paragraph(thanks?.summary ?? "Glad it works now!")]))
        }

        if let current {
            let switching = role == .topic && result.intent != current.id && confident
                && result.confidence >= Self.switchConfidence && !isParent(result.intent, of: current)
            // 4. Not fixed: the next fix.
            let repeatsTopic = role == .topic && (result.intent == current.id || isParent(result.intent, of: current))
            if !switching && (analysis.cues.contains(.notFixed) || (repeatsTopic && !state.fixesGiven.isEmpty
                && analysis.platform == nil)) {
                return nextFix(current, state: &state, result: result)
            }
            // 5. A platform on its own.
            // ("what about android?" may look like a help request: a platform wins over help and greetings.)
            if let platform = analysis.platform, !switching,
               [.fallback, .help, .greeting].contains(role) || !confident || result.intent == current.id
                || isParent(result.intent, of: current) {
                let given = Set(state.fixesGiven.compactMap { Self.localFixID($0, of: current) })
                let document = composer.platformAnswer(current, platform: platform, fixesGiven: given)
                return reply(current.id, state, result, document)
            }
        }

        // 6. The message's own intent.
        let intent = knowledge.intent(result.intent)
        switch role {
        case .greeting:
            return reply(result.intent, state, result, ReplyDocument([.paragraph(intent?.summary ?? "Hello!")]))
        case .goodbye:
            let platform = state.platform
            state = ConversationState(platform: platform, lastActivity: now)
            return reply(result.intent, state, result, ReplyDocument([.paragraph(intent?.summary ?? "Bye!")]))
        case .help:
            return reply(result.intent, state, result, composer.help(intent))
        case .handoff:
            return reply(result.intent, state, result, composer.handoff(lead: intent))
        case .topic:
            if let intent {
                if let second = result.ranked.dropFirst().first,
                   knowledge.intent(second.intent)?.role == .topic,
                   result.confidence - second.confidence < knowledge.settings.clarifyMargin,
                   let other = knowledge.intent(second.intent) {
                    state.pendingChoice = [intent.id, other.id]
                    var clarification = reply(intent.id, state, result, composer.clarify(intent, other))
                    clarification.answered = false
                    return clarification
                }
                return answer(intent, state: &state, result: result)
            }
            fallthrough
        case .fallback, .thanks:
            if analysis.cues.contains(.notFixed) && current == nil {
                var response = reply(result.intent, state, result, ReplyDocument([
                    .paragraph("Sorry to hear that. What do you see when you call: does it stay on \"Calling\", or ring once and then say \"Unavailable\"?"),
                ]))
                response.answered = false
                return response
            }
            var response = reply(matcher.fallbackID, state, result, composer.fallback(knowledge.intent(role: .fallback)))
            response.answered = false
            return response
        }
    }

    // MARK: - Steps

    private func answer(_ intent: Intent, state: inout ConversationState, result: Classification) -> Reply {
        let (document, given) = composer.answer(intent, platform: state.platform)
        state.topic = intent.id
        state.fixesGiven = given.map { Self.qualifiedFixID($0, of: intent) }
        return Reply(intent: intent.id, platform: state.platform, confidence: result.confidence, document: document,
                     answered: true, bestGuess: result.ranked.first)
    }

    private func nextFix(_ topic: Intent, state: inout ConversationState, result: Classification) -> Reply {
        // The topic's own fixes first; then those of the topics it is a cause of
        // (skipping their fix for this very cause, already given).
        for candidate in [topic] + parents(of: topic) {
            var skip = Set(state.fixesGiven.compactMap { Self.localFixID($0, of: candidate) })
            if candidate.id != topic.id { skip.formUnion(candidate.fixes.filter { $0.topic == topic.id }.map(\.id)) }
            if let (document, fix) = composer.nextFix(candidate, platform: state.platform, skipping: skip) {
                state.fixesGiven.append(Self.qualifiedFixID(fix, of: candidate))
                return reply(topic.id, state, result, document)
            }
        }
        return reply(topic.id, state, result, composer.outOfFixes(topic))
    }

    /// Fix ids in the state are qualified by their topic: `stuck_on_calling/unblock`.
    static func qualifiedFixID(_ fix: Fix, of intent: Intent) -> String { intent.id + "/" + fix.id }

    static func localFixID(_ qualified: String, of intent: Intent) -> String? {
        qualified.hasPrefix(intent.id + "/") ? String(qualified.dropFirst(intent.id.count + 1)) : nil
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
    private func parents(of topic: Intent) -> [Intent] {
        knowledge.intents.filter { candidate in
            candidate.id != topic.id
                && (candidate.causes.contains { $0.topic == topic.id } || candidate.fixes.contains { $0.topic == topic.id })
        }
    }

    private func isParent(_ id: String, of topic: Intent) -> Bool {
        parents(of: topic).contains { $0.id == id }
    }

    private func reply(_ intent: String, _ state: ConversationState, _ result: Classification,
                       _ document: ReplyDocument) -> Reply {
        Reply(intent: intent, platform: state.platform, confidence: result.confidence, document: document,
              answered: true, bestGuess: result.ranked.first)
    }
}

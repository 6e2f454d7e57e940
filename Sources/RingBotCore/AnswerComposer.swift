/// A composed reply and the platform whose steps it shows, if one.
struct Composed: Sendable {
    var document: ReplyDocument
    var stepsPlatform: Platform?
    /// The related topics the reply offered, in order ("You can also ask me about: ...").
    var offered: [String] = []

    init(_ document: ReplyDocument = ReplyDocument(), stepsPlatform: Platform? = nil) {
        self.document = document
        self.stepsPlatform = stepsPlatform
    }
}

/// Builds reply documents from the knowledge: a topic's first answer, one fix with the
/// steps for the phone that does it, the list of causes, help and handoff. Pure; the
/// wording of the glue lines lives here, the facts in the knowledge.
struct AnswerComposer: Sendable {
    let knowledge: KnowledgeBase
    /// First answers aim to fit a phone screen: over this, steps for an unknown phone become a question.
    static let shortAnswer = 600

    /// Who does `fix` (or, without a fix, the topic's own steps): the knowledge's `done_by`, else the user.
    func doer(of fix: Fix?, in intent: Intent) -> PhoneOwner {
        fix?.doneBy ?? (fix == nil ? intent.doneBy : nil) ?? .user
    }

    /// The fixes of `intent` still to offer: not given, and not for a ruled-out cause.
    func untried(_ intent: Intent, skipping: Set<String>, ruledOut: Set<String>) -> [Fix] {
        intent.fixes.filter { fix in
            !skipping.contains(fix.id) && !(fix.topic.map(ruledOut.contains) ?? false)
        }
    }

    /// The first answer to a topic: what it means, the most likely cause not ruled out and
    /// its fix (steps for the phone that does it), and an offer to go on. With `withCauses`,
    /// the whole list of causes too. Returns the fixes it gave.
    func answer(_ intent: Intent, phones: PhoneContext, ruledOut: Set<String>, withCauses: Bool,
                intro: String? = nil) -> (composed: Composed, fixesGiven: [Fix]) {
        var result = composeAnswer(intent, phones: phones, ruledOut: ruledOut, withCauses: withCauses,
                                   intro: intro, compact: true)
        if PlainTextRenderer.render(result.composed.document).count > Self.shortAnswer {
            result = composeAnswer(intent, phones: phones, ruledOut: ruledOut, withCauses: withCauses,
                                   intro: intro, compact: false)
        }
        return result
    }

    private func composeAnswer(_ intent: Intent, phones: PhoneContext, ruledOut: Set<String>, withCauses: Bool,
                               intro: String?, compact: Bool) -> (composed: Composed, fixesGiven: [Fix]) {
        var composed = Composed()
        if let intro { composed.document.append(.paragraph(intro)) }
        composed.document.append(.paragraph(intent.summary))
        if withCauses { composed.document.append(contentsOf: causeList(intent, ruledOut: ruledOut).blocks) }
        let left = untried(intent, skipping: [], ruledOut: ruledOut)
        var given: [Fix] = []
        if let fix = left.first {
            if !withCauses, let cause = intent.causes.first(where: { $0.topic != nil && $0.topic == fix.topic }) {
                composed.document.append(.paragraph("Most likely: " + lowercasedFirst(cause.text)))
            }
            let lead = left.count > 1 ? "Try this first: \(fix.title)." : "What to do: \(fix.title)."
            composed.stepsPlatform = appendFix(fix, of: intent, lead: lead, phones: phones, compact: compact,
                                               to: &composed.document)
            given.append(fix)
            if left.count > 1 {
                let more = left.count - 1
                var offer = "If that's not it, tell me and I'll go on to the next likely cause (\(more) more)."
                if !withCauses && !intent.causes.isEmpty { offer += " Ask me for all the causes to see the whole list." }
                composed.document.append(.paragraph(offer))
            }
        } else if !intent.fixes.isEmpty {
            composed.document.append(.paragraph("You've ruled out every cause I know for this."))
        }
        if !intent.steps.isEmpty {
            composed.stepsPlatform = appendSteps(intent.steps, doer: doer(of: nil, in: intent), phones: phones,
                                                 compact: compact, to: &composed.document)
        }
        if intent.fixes.isEmpty && intent.steps.isEmpty, let explanation = intent.explanation {
            var longer = composed.document
            longer.append(.paragraph(explanation))
            if PlainTextRenderer.render(longer).count <= Self.shortAnswer { composed.document = longer }
        }
        if intent.causes.isEmpty { composed.offered = appendRelated(intent, to: &composed.document) }
        return (composed, given)
    }

    /// The next fix of `intent` not in `skipping` (fix ids) and not for a ruled-out cause,
    /// or nil when none is left. `intro` acknowledges what the user just said.
    func nextFix(_ intent: Intent, phones: PhoneContext, skipping: Set<String>, ruledOut: Set<String>,
                 intro: String?) -> (composed: Composed, fix: Fix)? {
        let left = untried(intent, skipping: skipping, ruledOut: ruledOut)
        guard let fix = left.first else { return nil }
        let remaining = left.count - 1
        var document = ReplyDocument()
        if let intro { document.append(.paragraph(intro)) }
        if let cause = intent.causes.first(where: { $0.topic != nil && $0.topic == fix.topic }) {
            document.append(.paragraph("Next most likely: " + lowercasedFirst(cause.text)))
        }
        let platform = appendFix(fix, of: intent, lead: "Try this: \(fix.title).", phones: phones, compact: true,
                                 to: &document)
        document.append(.paragraph(remaining > 0
            ? "If that's not it either, tell me: \(remaining) more to check after this one."
            : "That's the last one I know. If it still doesn't work, say so and I'll tell you how to reach a person."))
        return (Composed(document, stepsPlatform: platform), fix)
    }

    /// When every fix was tried or ruled out: say so, and give the human contact.
    func outOfFixes(intro: String?) -> ReplyDocument {
        var document = ReplyDocument()
        if let intro { document.append(.paragraph(intro)) }
        document.append(.paragraph("I'm sorry, that was the last fix I know for this, so there's none left to try. A person from our support team can look into it with you:"))
        document.append(.paragraph(knowledge.settings.contact))
        return document
    }

    /// Every cause of `intent`, ruled-out ones marked.
    func causeList(_ intent: Intent, ruledOut: Set<String>) -> ReplyDocument {
        guard !intent.causes.isEmpty else { return ReplyDocument() }
        let items = intent.causes.map { cause in
            cause.text + ((cause.topic.map(ruledOut.contains) ?? false) ? " (ruled out)" : "")
        }
        return ReplyDocument([.heading("All the usual reasons:"), .bullets(items)])
    }

    /// The steps of the current fix (or the topic's own steps) for the phone that does them,
    /// or for `platform` when the user named one for this turn.
    func stepsAnswer(_ intent: Intent, fix: Fix?, phones: PhoneContext, platform: Platform? = nil,
                     lead: String? = nil) -> Composed {
        let namesFix = lead == nil
        var document = ReplyDocument()
        let steps = fix?.steps ?? intent.steps
        let owner = doer(of: fix, in: intent)
        var phones = phones
        if let platform {
            if owner == .user { phones.user = platform } else { phones.other = platform }
        }
        if let lead { document.append(.paragraph(lead)) }
        if steps.isEmpty {
            document.append(.paragraph(fix?.text ?? intent.explanation ?? intent.summary))
            return Composed(document)
        }
        if let fix, namesFix { document.append(.paragraph("\(fix.title): this is done on \(phones.possessive(owner)) phone.")) }
        let shown = appendSteps(steps, doer: owner, phones: phones, compact: true, to: &document)
        return Composed(document, stepsPlatform: shown)
    }

    /// "Do I have to change something on my phone too?": answered from `done_by`.
    func ownSideAnswer(_ intent: Intent, fix: Fix?, phones: PhoneContext) -> Composed {
        let owner = doer(of: fix, in: intent)
        let what = fix?.title ?? intent.title
        if fix == nil && intent.steps.isEmpty {
            return Composed(ReplyDocument([.paragraph(
                "No, there's nothing to change on your phone for this. Your WhatsApp just needs a working internet connection.")]))
        }
        if owner == .other {
            return Composed(ReplyDocument([.paragraph(
                "No, nothing to change on your phone for this one. It's done on \(phones.possessive(.other)) phone: "
                + "\(lowercasedFirst(what)). Your own WhatsApp just needs a working internet connection.")]))
        }
        return stepsAnswer(intent, fix: fix, phones: phones,
                           lead: "Yes, this one is done on your own phone: \(lowercasedFirst(what)).")
    }

    func help(_ intent: Intent?) -> ReplyDocument {
        var document = ReplyDocument()
        if let intent { document.append(.paragraph(intent.summary)) }
        appendTopicList(to: &document)
        return document
    }

    func handoff(lead: Intent?) -> ReplyDocument {
        var document = ReplyDocument()
        if let lead { document.append(.paragraph(lead.summary)) }
        document.append(.paragraph(knowledge.settings.contact))
        return document
    }

    func fallback(_ intent: Intent?) -> ReplyDocument {
        var document = ReplyDocument()
        document.append(.paragraph(intent?.summary ?? "Sorry, that's outside what I know."))
        appendTopicList(to: &document)
        return document
    }

    /// For a message that is not a question on its own: a short prompt to go on.
    func fragmentPrompt() -> ReplyDocument {
        ReplyDocument([.paragraph("Go on, I'm listening. " + knowledge.settings.askMore)])
    }

    func clarify(_ first: Intent, _ second: Intent) -> ReplyDocument {
        ReplyDocument([
            .paragraph("I'm not sure which one you mean:"),
            .numbered([first.title, second.title]),
            .paragraph("Reply 1 or 2, or tell me a bit more."),
        ])
    }

    /// The support topics in a meaningful order: what the statuses mean first, then each
    /// problem followed by its causes in the order the problem lists them, bigger problems first.
    var topics: [Intent] {
        let all = knowledge.intents.filter { $0.role == .topic }
        let children = { (intent: Intent) -> [String] in
            intent.causes.compactMap(\.topic) + intent.fixes.compactMap(\.topic)
        }
        let linked = Set(all.flatMap(children))
        // Definitions first, then problems with more causes before those with fewer; ties in file order.
        let rank = { (intent: Intent) -> Int in intent.causes.isEmpty && intent.fixes.isEmpty ? Int.min : -intent.causes.count }
        let roots = all.enumerated().filter { !linked.contains($0.element.id) }
            .sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
        var ordered: [Intent] = []
        func add(_ intent: Intent) {
            guard !ordered.contains(where: { $0.id == intent.id }) else { return }
            ordered.append(intent)
            for id in children(intent) { if let child = all.first(where: { $0.id == id }) { add(child) } }
        }
        roots.forEach(add)
        all.forEach(add)
        return ordered
    }

    // MARK: - Pieces

    private func appendTopicList(to document: inout ReplyDocument) {
        document.append(.heading("I can help with:"))
        document.append(.bullets(topics.map(\.title)))
    }

    /// Appends a fix with its steps for the phone that does it; returns the platform shown.
    private func appendFix(_ fix: Fix, of intent: Intent, lead: String, phones: PhoneContext, compact: Bool,
                           to document: inout ReplyDocument) -> Platform? {
        document.append(.heading(lead))
        document.append(.paragraph(fix.text))
        return appendSteps(fix.steps, doer: doer(of: fix, in: intent), phones: phones, compact: compact, to: &document)
    }

    /// Steps for the phone of `doer`. When that phone is unknown: both platforms compactly
    /// (or, with `compact` false, only the question) and a question about that phone.
    private func appendSteps(_ steps: PlatformSteps, doer: PhoneOwner, phones: PhoneContext, compact: Bool,
                             to document: inout ReplyDocument) -> Platform? {
        guard !steps.isEmpty else { return nil }
        if !steps.isPlatformSpecific {
            document.append(.numbered(steps.common))
            return nil
        }
        if let platform = phones.platform(of: doer) {
            document.append(.heading(phones.stepsHeading(doer, platform)))
            document.append(.numbered(steps.steps(for: platform)))
            return platform
        }
        if compact {
            for platform in Platform.allCases {
                document.append(.paragraph("On \(platform.displayName): " + steps.steps(for: platform).joined(separator: " ")))
            }
        }
        document.append(.paragraph(phones.question(doer)))
        return nil
    }

    /// Offers related topics, when the answer stays short with them; returns the ids offered.
    private func appendRelated(_ intent: Intent, to document: inout ReplyDocument) -> [String] {
        let related = intent.related.prefix(2).compactMap { knowledge.intent($0) }
        guard !related.isEmpty else { return [] }
        var longer = document
        longer.append(.paragraph("You can also ask me about: " + related.map { lowercasedFirst($0.title) }.joined(separator: "; ") + "."))
        guard PlainTextRenderer.render(longer).count <= Self.shortAnswer else { return [] }
        document = longer
        return related.map(\.id)
    }
}

/// `text` with its first letter in lower case, to continue a sentence ("Most likely: the other person...").
/// Words that start with two capitals or are names (`WhatsApp`, `Do Not Disturb`) are kept.
func lowercasedFirst(_ text: String) -> String {
    guard let first = text.first, first.isUppercase else { return text }
    let second = text.dropFirst().first
    if second?.isUppercase == true { return text }
    let firstWord = text.prefix { $0 != " " }
    if ["Do", "WhatsApp", "Android", "iPhone", "Focus"].contains(String(firstWord)) { return text }
    return first.lowercased() + text.dropFirst()
}

extension ReplyDocument {
    mutating func append(contentsOf blocks: [Block]) {
        self.blocks += blocks
    }
}

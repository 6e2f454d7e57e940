/// Builds reply documents from the knowledge: a topic's answer for a platform,
/// one fix, the help list, the handoff. Pure; the wording of the glue lines lives here,
/// the facts in the knowledge.
struct AnswerComposer: Sendable {
    let knowledge: KnowledgeBase

    /// The first answer to a topic. For a topic with fixes, gives the causes and the
    /// first fix; returns the ids of the fixes it gave.
    func answer(_ intent: Intent, platform: Platform?) -> (document: ReplyDocument, fixesGiven: [Fix]) {
        var document = ReplyDocument([.paragraph(intent.summary)])
        if let explanation = intent.explanation, intent.causes.isEmpty { document.append(.paragraph(explanation)) }
        if !intent.causes.isEmpty {
            document.append(.heading("The usual reasons:"))
            document.append(.bullets(intent.causes.map(\.text)))
        }
        appendSteps(intent.steps, platform: platform, to: &document)
        var given: [Fix] = []
        if let fix = intent.fixes.first {
            let lead = intent.fixes.count > 1 ? "Try this first: \(fix.title)." : "What to do: \(fix.title)."
            appendFix(fix, lead: lead, platform: platform, to: &document)
            given.append(fix)
            if intent.fixes.count > 1 {
                document.append(.paragraph("If that doesn't help, tell me and I'll give you the next fix."))
            }
        }
        if intent.isPlatformSpecific && platform == nil {
            document.append(.paragraph("Tell me if you're on Android or iPhone and I'll show only your steps."))
        }
        appendRelated(intent, to: &document)
        return (document, given)
    }

    /// The topic's steps only, for a platform the user just named.
    func platformAnswer(_ intent: Intent, platform: Platform, fixesGiven: Set<String>) -> ReplyDocument {
        var document = ReplyDocument()
        if !intent.steps.isEmpty {
            document.append(.paragraph("\(intent.title) — on \(platform.displayName):"))
            appendSteps(intent.steps, platform: platform, to: &document)
        }
        for fix in intent.fixes where fixesGiven.contains(fix.id) && fix.steps.isPlatformSpecific {
            appendFix(fix, lead: "\(fix.title) — on \(platform.displayName):", platform: platform, to: &document, withText: false)
        }
        if document.blocks.isEmpty {
            document.append(.paragraph("Got it, \(platform.displayName). Nothing I've suggested so far depends on the phone; "
                + "I'll show \(platform.displayName) steps when a fix needs them."))
        }
        return document
    }

    /// The next fix of `intent` not in `skipping` (fix ids), or nil when all were tried.
    func nextFix(_ intent: Intent, platform: Platform?, skipping: Set<String>) -> (document: ReplyDocument, fix: Fix)? {
        let left = intent.fixes.filter { !skipping.contains($0.id) }
        guard let fix = left.first else { return nil }
        let remaining = left.count - 1
        var document = ReplyDocument()
        appendFix(fix, lead: "Next, try this: \(fix.title).", platform: platform, to: &document)
        document.append(.paragraph(remaining > 0
            ? "Still stuck? Tell me and I'll give you the next one (\(remaining) more to try)."
            : "That's the last fix I know. If it still doesn't work, say so and I'll tell you how to reach a person."))
        return (document, fix)
    }

    /// When every fix was tried.
    func outOfFixes(_ intent: Intent) -> ReplyDocument {
        var document = ReplyDocument([.paragraph("I'm sorry, those are all the fixes I know for \"\(intent.title)\".")])
        document.append(contentsOf: handoff(lead: nil).blocks)
        return document
    }

    func help(_ intent: Intent?) -> ReplyDocument {
        var document = ReplyDocument()
        if let intent { document.append(.paragraph(intent.summary)) }
        document.append(.heading("I can help with:"))
        document.append(.bullets(topics.map(\.title)))
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
        document.append(.heading("I can help with:"))
        document.append(.bullets(topics.map(\.title)))
        return document
    }

    func clarify(_ first: Intent, _ second: Intent) -> ReplyDocument {
        ReplyDocument([
            .paragraph("I'm not sure which one you mean:"),
            .numbered([first.title, second.title]),
            .paragraph("Reply 1 or 2, or tell me a bit more."),
        ])
    }

    var topics: [Intent] { knowledge.intents.filter { $0.role == .topic } }

    // MARK: - Pieces

    private func appendFix(_ fix: Fix, lead: String, platform: Platform?, to document: inout ReplyDocument,
                           withText: Bool = true) {
        document.append(.heading(lead))
        if withText { document.append(.paragraph(fix.text)) }
        appendSteps(fix.steps, platform: platform, to: &document)
    }

    private func appendSteps(_ steps: PlatformSteps, platform: Platform?, to document: inout ReplyDocument) {
        guard !steps.isEmpty else { return }
        if !steps.isPlatformSpecific {
            document.append(.numbered(steps.common))
        } else if let platform {
            document.append(.numbered(steps.steps(for: platform)))
        } else {
            for platform in Platform.allCases {
                document.append(.heading("On \(platform.displayName):"))
                document.append(.numbered(steps.steps(for: platform)))
            }
        }
    }

    private func appendRelated(_ intent: Intent, to document: inout ReplyDocument) {
        let titles = intent.related.prefix(3).compactMap { knowledge.intent($0)?.title }
        guard !titles.isEmpty else { return }
        document.append(.paragraph("You can also ask me about: " + titles.map { "\"\($0)\"" }.joined(separator: ", ") + "."))
    }
}

extension ReplyDocument {
    mutating func append(contentsOf blocks: [Block]) {
        self.blocks += blocks
    }
}

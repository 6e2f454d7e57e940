import RingBotCore
import Yams

/// One decoded knowledge file.
enum KnowledgeDocument {
    case settings(KnowledgeSettings, SourceLocation)
    case pack(KnowledgePack)
    case lexicon(Lexicon)
    case intent(Intent)
}

/// Turns the YAML of one file into a ``KnowledgeDocument``, reporting every problem.
enum DocumentDecoder {
    static let kinds = ["settings", "pack", "lexicon", "intent"]

    static func decode(_ root: Node, sink: ProblemSink) -> KnowledgeDocument? {
        guard var map = MappingReader(root, sink: sink, what: "a knowledge document") else { return nil }
        guard let kind = map.string("kind", required: true) else { return nil }
        let document: KnowledgeDocument?
        switch kind {
        case "settings": document = settings(&map)
        case "pack": document = pack(&map)
        case "lexicon": document = lexicon(&map)
        case "intent": document = intent(&map)
        default:
            sink.report(map.value("kind"), "unknown kind `\(kind)`; use one of " + kinds.map { "`\($0)`" }.joined(separator: ", "))
            return nil
        }
        map.finish()
        return document
    }

    private static func settings(_ map: inout MappingReader) -> KnowledgeDocument {
        var settings = KnowledgeSettings()
        if let name = map.string("bot_name") { settings.botName = name }
        if let contact = map.string("contact", required: true) { settings.contact = contact }
        if let askMore = map.string("ask_more") { settings.askMore = askMore }
        if let node = map.value("thresholds"), !MappingReader.isNull(node),
           var thresholds = MappingReader(node, sink: map.sink, what: "`thresholds`") {
            if let answer = thresholds.number("answer", in: 0...1) { settings.answerThreshold = answer }
            if let margin = thresholds.number("clarify_margin", in: 0...1) { settings.clarifyMargin = margin }
            thresholds.finish()
        }
        return .settings(settings, map.sink.location(map.node))
    }

    private static func pack(_ map: inout MappingReader) -> KnowledgeDocument? {
        let id = map.string("id", required: true)
        let title = map.string("title", required: true)
        let description = map.string("description") ?? ""
        guard let id, let title else { return nil }
        if !isIdentifier(id, allowDash: true) {
            map.sink.report(map.value("id"), "pack id `\(id)` must be lower-case letters, digits, `_` or `-`")
        }
        return .pack(KnowledgePack(id: id, title: title, description: description, location: map.sink.location(map.node)))
    }

    private static func lexicon(_ map: inout MappingReader) -> KnowledgeDocument {
        var lexicon = Lexicon()
        let sink = map.sink
        for node in map.list("concepts") {
            guard var concept = MappingReader(node, sink: sink, what: "a concept (`name:` and `terms:`)") else { continue }
            let name = concept.string("name", required: true)
            let terms = concept.strings("terms")
            concept.finish()
            guard let name else { continue }
            if !isIdentifier(name, allowDash: false) {
                sink.report(node, "concept name `\(name)` must be lower-case letters, digits or `_`")
            }
            if terms.isEmpty { sink.report(node, "concept `\(name)` has no `terms`") }
            lexicon.concepts.append(Concept(name: name, terms: terms.map(\.text), location: sink.location(node)))
        }
        if let node = map.value("platforms"), !MappingReader.isNull(node),
           var platforms = MappingReader(node, sink: sink, what: "`platforms` (`android:` and `ios:` lists)") {
            for platform in Platform.allCases {
                let terms = platforms.strings(platform.rawValue).map(\.text)
                if !terms.isEmpty { lexicon.platformTerms[platform] = terms }
            }
            platforms.finish()
        }
        if let node = map.value("owners"), !MappingReader.isNull(node),
           var owners = MappingReader(node, sink: sink, what: "`owners` (`user:` and `other:` word lists)") {
            for owner in PhoneOwner.allCases {
                let words = owners.strings(owner.rawValue).map(\.text)
                if !words.isEmpty { lexicon.ownerWords[owner] = words }
            }
            owners.finish()
        }
        lexicon.people = map.strings("people").map(\.text)
        lexicon.stopwords = map.strings("stopwords").map(\.text)
        lexicon.anchors = map.strings("anchors").map(\.text)
        if let node = map.value("respell"), !MappingReader.isNull(node),
           var respell = MappingReader(node, sink: sink, what: "`respell` (lines of `texting: word`)") {
            for key in respell.keys {
                guard let word = respell.string(key) else { continue }
                let from = TextNormalizer.tokens(key), to = TextNormalizer.tokens(word)
                guard from.count == 1, to.count == 1 else {
                    sink.report(respell.value(key), "`respell` maps one word to one word, e.g. `u: you`")
                    continue
                }
                lexicon.respellings[from[0]] = to[0]
            }
            respell.finish()
        }
        if let node = map.value("cues"), !MappingReader.isNull(node),
           var cues = MappingReader(node, sink: sink, what: "`cues`") {
            for cue in DialogueCue.allCases {
                let phrases = cues.strings(cue.rawValue).map(\.text)
                if !phrases.isEmpty { lexicon.cues[cue] = phrases }
            }
            cues.finish()
        }
        return .lexicon(lexicon)
    }

    private static func intent(_ map: inout MappingReader) -> KnowledgeDocument? {
        let sink = map.sink
        let id = map.string("id", required: true)
        let title = map.string("title", required: true)
        var role = IntentRole.topic
        if let roleText = map.string("role") {
            if let parsed = IntentRole(rawValue: roleText) { role = parsed } else {
                sink.report(map.value("role"), "unknown role `\(roleText)`; use one of "
                    + IntentRole.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
            }
        }
        let summary = map.string("summary", required: true)
        let explanation = map.string("explanation")
        var causes: [Cause] = []
        for node in map.list("causes") {
            guard var cause = MappingReader(node, sink: sink, what: "a cause (`text:` and optional `topic:`)") else { continue }
            let text = cause.string("text", required: true)
            let topic = cause.string("topic")
            cause.finish()
            if let text { causes.append(Cause(text: text, topic: topic, location: sink.location(node))) }
        }
        var fixes: [Fix] = []
        for (index, node) in map.list("fixes").enumerated() {
            guard var fix = MappingReader(node, sink: sink, what: "a fix (`title:`, `text:`, ...)") else { continue }
            let fixID = fix.string("id") ?? "fix\(index + 1)"
            let fixTitle = fix.string("title", required: true)
            let text = fix.string("text", required: true)
            let topic = fix.string("topic")
            let steps = fix.value("steps").flatMap { stepsNode in
                MappingReader.isNull(stepsNode) ? nil : self.steps(stepsNode, sink: sink)
            } ?? PlatformSteps()
            let doneBy = self.doneBy(&fix)
            fix.finish()
            if let fixTitle, let text {
                fixes.append(Fix(id: fixID, title: fixTitle, text: text, topic: topic, steps: steps, doneBy: doneBy,
                                 location: sink.location(node)))
            }
        }
        let steps = map.value("steps").flatMap { node in
            MappingReader.isNull(node) ? nil : self.steps(node, sink: sink)
        } ?? PlatformSteps()
        let doneBy = self.doneBy(&map)
        let examples = map.strings("examples").map { Example(text: $0.text, location: $0.location) }
        var phrases: [KeyPhrase] = []
        for node in map.list("phrases") {
            if case .scalar(let scalar) = node {
                let text = scalar.string.trimmingWhitespace()
                if text.isEmpty { sink.report(node, "empty item in `phrases`") } else {
                    phrases.append(KeyPhrase(text: text, location: sink.location(node)))
                }
            } else if var phrase = MappingReader(node, sink: sink, what: "a phrase (text, or `text:` and `weight:`)") {
                let text = phrase.string("text", required: true)
                let weight = phrase.number("weight", in: 1...5) ?? 2
                phrase.finish()
                if let text { phrases.append(KeyPhrase(text: text, weight: weight, location: sink.location(node))) }
            }
        }
        let related = map.strings("related")
        let ruledOutBy = map.strings("ruled_out_by").map(\.text)
        guard let id, let title, let summary else { return nil }
        if !isIdentifier(id, allowDash: false) {
            sink.report(map.value("id"), "intent id `\(id)` must be lower-case letters, digits or `_`")
        }
        if examples.count < 3 {
            sink.report(map.value("examples") ?? map.node,
                        "intent `\(id)` needs at least 3 `examples` (it has \(examples.count)); the matcher learns from them")
        }
        var intent = Intent(id: id, title: title, role: role, summary: summary, explanation: explanation,
                            causes: causes, fixes: fixes, steps: steps, doneBy: doneBy, examples: examples, phrases: phrases,
                            related: related.map(\.text), location: sink.location(map.node))
        intent.relatedLocations = related.map(\.location)
        intent.ruledOutBy = ruledOutBy
        return .intent(intent)
    }

    /// `done_by: caller|other_person`: who carries out a fix or a topic's steps.
    private static func doneBy(_ map: inout MappingReader) -> PhoneOwner? {
        guard let text = map.string("done_by") else { return nil }
        if let owner = PhoneOwner(knowledgeName: text) { return owner }
        map.sink.report(map.value("done_by"), "unknown `done_by: \(text)`; use "
            + PhoneOwner.allCases.map { "`\($0.knowledgeName)`" }.joined(separator: " or ")
            + " (who does it on their own phone)")
        return nil
    }

    private static func steps(_ node: Node, sink: ProblemSink) -> PlatformSteps? {
        guard var map = MappingReader(node, sink: sink, what: "`steps` (`common:`, `android:`, `ios:` lists)") else { return nil }
        let steps = PlatformSteps(common: map.strings("common").map(\.text),
                                  android: map.strings("android").map(\.text),
                                  ios: map.strings("ios").map(\.text))
        map.finish()
        if steps.isEmpty { sink.report(node, "`steps` has no steps; give `common:`, or `android:` and `ios:`") }
        if !steps.android.isEmpty && steps.ios.isEmpty {
            sink.report(node, "steps are given for Android but not for iPhone; add `ios:` steps")
        }
        if !steps.ios.isEmpty && steps.android.isEmpty {
            sink.report(node, "steps are given for iPhone but not for Android; add `android:` steps")
        }
        return steps
    }

    static func isIdentifier(_ text: String, allowDash: Bool) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || (allowDash && scalar == "-")
        }
    }
}

import Testing
import RingBotCore

@Suite("Knowledge validator")
struct ValidatorTests {
    static func intent(_ id: String, role: IntentRole = .topic, file: String = "test.yaml", line: Int = 1,
                       related: [String] = [], fixes: [Fix] = [], causes: [Cause] = []) -> Intent {
        var intent = Intent(id: id, title: id, role: role, summary: "About \(id).", causes: causes, fixes: fixes,
                            examples: [Example(text: "example \(id)", location: loc(file, line + 1))],
                            related: related, location: loc(file, line))
        intent.relatedLocations = related.indices.map { loc(file, line + 10 + $0) }
        return intent
    }

    static func base(_ intents: [Intent], packs: [KnowledgePack] = []) -> KnowledgeBase {
        KnowledgeBase(settings: KnowledgeSettings(contact: "x"), packs: packs, lexicon: Lexicon(), intents: intents)
    }

    @Test("a sound knowledge base has no problems")
    func sound() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback), Self.intent("blocked", related: ["out_of_scope"]),
        ]))
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("a duplicate intent id names where it is first defined")
    func duplicateIDs() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback, file: "a.yaml"),
            Self.intent("blocked", file: "b.yaml", line: 2),
            Self.intent("blocked", file: "c.yaml", line: 3),
        ]))
        #expect(problems.map(\.description) == ["c.yaml:3: duplicate intent id `blocked`; it is first defined at b.yaml:2"])
    }

    @Test("a duplicate pack id is reported")
    func duplicatePacks() {
        let problems = KnowledgeValidator.structuralProblems(Self.base(
            [Self.intent("out_of_scope", role: .fallback), Self.intent("blocked")],
            packs: [KnowledgePack(id: "p", title: "P", description: "", location: loc("p1/pack.yaml", 1)),
                    KnowledgePack(id: "p", title: "P", description: "", location: loc("p2/pack.yaml", 1))]))
        #expect(problems.map(\.description) == ["p2/pack.yaml:1: duplicate pack id `p`; it is first defined at p1/pack.yaml:1"])
    }

    @Test("a dangling related link is reported where written, with a suggestion")
    func danglingRelated() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback),
            Self.intent("blocked"),
            Self.intent("stuck", file: "stuck.yaml", line: 1, related: ["blocked", "blokced"]),
        ]))
        #expect(problems.map(\.description) == ["stuck.yaml:12: `stuck` links to unknown topic `blokced`; did you mean `blocked`?"])
    }

    @Test("a link to something far from every id has no suggestion")
    func danglingNoSuggestion() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback), Self.intent("stuck", file: "s.yaml", related: ["zzzzzzzzzz"]),
        ]))
        #expect(problems.map(\.description) == ["s.yaml:11: `stuck` links to unknown topic `zzzzzzzzzz`"])
    }

    @Test("dangling links from causes and fixes are reported at the cause or fix")
    func danglingCauseAndFix() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback),
            Self.intent("blocked"),
            Self.intent("stuck", fixes: [Fix(id: "f", title: "F", text: "t", topic: "nowhere_at_all", location: loc("s.yaml", 8))],
                        causes: [Cause(text: "c", topic: "blockd", location: loc("s.yaml", 5))]),
        ]))
        #expect(problems.map(\.description) == [
            "s.yaml:5: `stuck` links to unknown topic `blockd`; did you mean `blocked`?",
            "s.yaml:8: `stuck` links to unknown topic `nowhere_at_all`",
        ])
    }

    @Test("a duplicate fix id within a topic is reported")
    func duplicateFix() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([
            Self.intent("out_of_scope", role: .fallback),
            Self.intent("stuck", fixes: [Fix(id: "f", title: "F", text: "t", location: loc("s.yaml", 4)),
                                         Fix(id: "f", title: "G", text: "u", location: loc("s.yaml", 9))]),
        ]))
        #expect(problems.map(\.description) == ["s.yaml:9: duplicate fix id `f` in `stuck`"])
    }

    @Test("a missing fallback role is reported")
    func missingFallback() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([Self.intent("blocked", file: "b.yaml", line: 1)]))
        #expect(problems.count == 1)
        #expect(problems.first?.description.hasPrefix("b.yaml:1: no intent has `role: fallback`") == true)
    }

    @Test("no topics at all is reported")
    func noTopics() {
        let problems = KnowledgeValidator.structuralProblems(Self.base([Self.intent("oos", role: .fallback, file: "o.yaml")]))
        #expect(problems.map(\.description) == ["o.yaml:1: no topics: add at least one intent with `role: topic`"])
    }

    @Test("a topic with neither examples nor phrases is reported")
    func emptyTopic() {
        var bare = Self.intent("bare", file: "bare.yaml", line: 1)
        bare.examples = []
        let problems = KnowledgeValidator.structuralProblems(Self.base([Self.intent("oos", role: .fallback), bare]))
        #expect(problems.map(\.description) == ["bare.yaml:1: topic `bare` has neither examples nor phrases"])
    }

    @Test("the real knowledge generalises: held-out examples mostly reach their own topic (5-fold, lexical)")
    func realKnowledgeCrossValidation() throws {
        let assistant = try RealKnowledge.assistant()
        let report = KnowledgeValidator.crossValidation(assistant.knowledge)
        let examples = assistant.knowledge.intents.reduce(0) { $0 + $1.examples.count }
        #expect(report.total == examples, "every example is held out exactly once")
        #expect(report.accuracy >= 0.88, "cross-validation \(report.accuracy)")
        #expect(report.misassigned.count == report.total - report.correct)
        #expect(report.misassigned.allSatisfy { $0.message.hasPrefix("warning: example \"") && $0.location.line > 0 })
    }

    @Test("an example written under the wrong topic is a cross-validation warning at its line")
    func mislabelledExample() throws {
        var knowledge = try RealKnowledge.assistant().knowledge
        let index = try #require(knowledge.intents.firstIndex { $0.id == "do_not_disturb" })
        let location = SourceLocation(file: "dnd.yaml", line: 99)
        knowledge.intents[index].examples.append(Example(text: "he blocked me on whatsapp, how do i know for sure", location: location))
        let report = KnowledgeValidator.crossValidation(knowledge)
        let warning = try #require(report.misassigned.first { $0.location == location })
        #expect(warning.description.hasPrefix("dnd.yaml:99: warning: example \"he blocked me on whatsapp, how do i know for sure\" of `do_not_disturb` goes to `blocked`"))
    }

    @Test("edit distance", arguments: [("", "", 0), ("", "abc", 3), ("abc", "", 3), ("kitten", "sitting", 3),
                                      ("blocked", "blokced", 2), ("same", "same", 0), ("café", "cafe", 1)])
    func distance(a: String, b: String, expected: Int) {
        #expect(editDistance(a, b) == expected)
        #expect(editDistance(b, a) == expected)
    }
}

import Foundation
import Testing
import RingBotCore

@Suite("Evaluation report")
struct EvaluationTests {
    static let data = [
        LabelledUtterance(text: "a1", intent: "a", platform: .ios, line: 2),
        LabelledUtterance(text: "a2", intent: "a", platform: nil, line: 3),
        LabelledUtterance(text: "b1", intent: "b", platform: .android, line: 4),
        LabelledUtterance(text: "o1", intent: "oos", platform: nil, line: 5),
        LabelledUtterance(text: "o2", intent: "oos", platform: nil, line: 6),
    ]
    static let predictions = [
        Classification(intent: "a", confidence: 0.9, platform: .ios, ranked: []),
        Classification(intent: "b", confidence: 0.8, platform: nil, ranked: []),
        Classification(intent: "b", confidence: 0.6, platform: nil, ranked: []),
        Classification(intent: "oos", confidence: 1.0, platform: nil, ranked: []),
        Classification(intent: "a", confidence: 0.5, platform: .android, ranked: []),
    ]

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

    @Test("accuracy, platform accuracy and out-of-scope recall")
    func headline() {
        let report = EvaluationReport(data: Self.data, predictions: Self.predictions, outOfScopeID: "oos")
        #expect(report.total == 5)
        #expect(report.correct == 3)
        #expect(Self.close(report.accuracy, 0.6))
        #expect(Self.close(report.platformAccuracy, 0.6))
        #expect(Self.close(report.outOfScopeRecall, 0.5))
        #expect(report.outOfScopeSupport == 2)
    }

    @Test("per-intent precision, recall and F1")
    func perIntent() {
        let report = EvaluationReport(data: Self.data, predictions: Self.predictions, outOfScopeID: "oos")
        #expect(report.perIntent.map(\.intent) == ["a", "b", "oos"])
        let scores = Dictionary(uniqueKeysWithValues: report.perIntent.map { ($0.intent, $0) })
        #expect(scores["a"]!.support == 2)
        #expect(Self.close(scores["a"]!.precision, 0.5))
        #expect(Self.close(scores["a"]!.recall, 0.5))
        #expect(Self.close(scores["a"]!.f1, 0.5))
        #expect(scores["b"]!.support == 1)
        #expect(Self.close(scores["b"]!.precision, 0.5))
        #expect(Self.close(scores["b"]!.recall, 1))
        #expect(Self.close(scores["b"]!.f1, 2.0 / 3.0))
        #expect(Self.close(scores["oos"]!.precision, 1))
        #expect(Self.close(scores["oos"]!.recall, 0.5))
        #expect(Self.close(scores["oos"]!.f1, 2.0 / 3.0))
    }

    @Test("calibration error over 10 bins and mean confidences")
    func calibration() {
        let report = EvaluationReport(data: Self.data, predictions: Self.predictions, outOfScopeID: "oos")
        // bins: 9 → {0.9 ✓, 1.0 ✓} gap 0.05; 8 → {0.8 ✗} gap 0.8; 6 → {0.6 ✓} gap 0.4; 5 → {0.5 ✗} gap 0.5
        let expectedECE: Double = (0.1 + 0.8 + 0.4 + 0.5) / 5
        let expectedCorrect: Double = 2.5 / 3
        let expectedWrong: Double = 0.65
        #expect(Self.close(report.calibrationError, expectedECE))
        #expect(Self.close(report.meanConfidenceCorrect, expectedCorrect))
        #expect(Self.close(report.meanConfidenceWrong, expectedWrong))
    }

    @Test("confusions are counted, most common first, with examples")
    func confusions() {
        var data = Self.data
        var predictions = Self.predictions
        data.append(LabelledUtterance(text: "o3", intent: "oos", platform: nil, line: 7))
        predictions.append(Classification(intent: "a", confidence: 0.7, platform: nil, ranked: []))
        let report = EvaluationReport(data: data, predictions: predictions, outOfScopeID: "oos")
        #expect(report.confusions.map { "\($0.expected)->\($0.predicted) \($0.count)" } == ["oos->a 2", "a->b 1"])
        #expect(report.confusions.first?.examples == ["o2", "o3"])
    }

    @Test("perfect predictions score 1 everywhere")
    func perfect() {
        let predictions = Self.data.map { Classification(intent: $0.intent, confidence: 1, platform: $0.platform, ranked: []) }
        let report = EvaluationReport(data: Self.data, predictions: predictions, outOfScopeID: "oos")
        #expect(report.accuracy == 1)
        #expect(report.outOfScopeRecall == 1)
        #expect(report.platformAccuracy == 1)
        #expect(report.calibrationError == 0)
        #expect(report.confusions.isEmpty)
        #expect(report.perIntent.allSatisfy { $0.f1 == 1 })
    }

    @Test("an empty data set gives zeros, not NaN")
    func empty() {
        let report = EvaluationReport(data: [], predictions: [], outOfScopeID: "oos")
        #expect(report.total == 0)
        #expect(report.accuracy == 0)
        #expect(report.calibrationError == 0)
        #expect(report.outOfScopeRecall == 1)
        #expect(report.perIntent.isEmpty)
        #expect(!report.meanConfidenceCorrect.isNaN)
    }
}

@Suite("Labelled data parser")
struct LabelledDataParserTests {
    @Test("parses lines with their line numbers and platforms")
    func parses() {
        let text = "text\tintent\tplatform\nhello\tgreeting\t\n\nmy iphone wont ring\tstuck_on_calling\tios\nsamsung\tx\tandroid\nno platform\tthanks\n"
        let (items, problems) = LabelledDataParser.parse(text, file: "d.tsv")
        #expect(problems.isEmpty)
        #expect(items == [
            LabelledUtterance(text: "hello", intent: "greeting", platform: nil, line: 2),
            LabelledUtterance(text: "my iphone wont ring", intent: "stuck_on_calling", platform: .ios, line: 4),
            LabelledUtterance(text: "samsung", intent: "x", platform: .android, line: 5),
            LabelledUtterance(text: "no platform", intent: "thanks", platform: nil, line: 6),
        ])
    }

    @Test("every bad line is a problem at its line", arguments: [
        ("text\tintent\tplatform\nok\tgreeting\nno tabs at all\n",
         ["d.tsv:3: expected 2 or 3 tab-separated fields (text, intent, platform), found 1"]),
        ("text\tintent\tplatform\na\tb\tc\td\n",
         ["d.tsv:2: expected 2 or 3 tab-separated fields (text, intent, platform), found 4"]),
        ("text\tintent\tplatform\nhi\tgreeting\twindows\n",
         ["d.tsv:2: platform must be `android`, `ios` or empty, found `windows`"]),
        ("text\tintent\tplatform\n\n\nhi\t \t\n",
         ["d.tsv:4: empty intent label"]),
        ("hi\tgreeting\t\n",
         ["d.tsv:1: missing header line `text<TAB>intent<TAB>platform`"]),
        ("text\tlabel\tplatform\nhi\tgreeting\t\n",
         ["d.tsv:1: header must be `text<TAB>intent<TAB>platform`"]),
        ("text\tintent\tplatform\nx\tgreeting\tIOS\ny\n",
         ["d.tsv:2: platform must be `android`, `ios` or empty, found `IOS`",
          "d.tsv:3: expected 2 or 3 tab-separated fields (text, intent, platform), found 1"]),
    ])
    func problems(text: String, expected: [String]) {
        let (_, problems) = LabelledDataParser.parse(text, file: "d.tsv")
        #expect(problems.map(\.description) == expected)
    }

    @Test("CRLF line endings (a file saved on Windows) parse like LF")
    func crlf() {
        let text = "text\tintent\tplatform\r\nhello\tgreeting\t\r\nmy iphone\tstuck_on_calling\tios\r\n"
        let (items, problems) = LabelledDataParser.parse(text, file: "d.tsv")
        #expect(problems.map(\.description) == [])
        #expect(items == [
            LabelledUtterance(text: "hello", intent: "greeting", platform: nil, line: 2),
            LabelledUtterance(text: "my iphone", intent: "stuck_on_calling", platform: .ios, line: 3),
        ])
    }

    @Test("an empty file has no items and no problems")
    func emptyFile() {
        let (items, problems) = LabelledDataParser.parse("", file: "d.tsv")
        #expect(items.isEmpty)
        #expect(problems.isEmpty)
    }
}

@Suite("Small values")
struct SmallValueTests {
    @Test("Decimal2 prints two decimals", arguments: [
        (0.0, "0.00"), (1.0, "1.00"), (0.05, "0.05"), (0.5, "0.50"), (0.1234, "0.12"), (0.999, "1.00"),
        (2.5, "2.50"), (12.0, "12.00"), (-1.0, "0.00"), (Double.nan, "0.00"), (Double.infinity, "0.00"),
    ])
    func decimal2(value: Double, text: String) {
        #expect(Decimal2(value).description == text)
    }

    @Test("MatcherTuning parses name=value lists")
    func tuning() throws {
        let tuning = try MatcherTuning(parsing: "temperature=2, epochs=10,l2=0.01,learningRate=0.25,phraseSampleWeight=1")
        #expect(tuning.temperature == 2)
        #expect(tuning.epochs == 10)
        #expect(tuning.l2 == 0.01)
        #expect(tuning.learningRate == 0.25)
        #expect(tuning.phraseSampleWeight == 1)
        #expect(try MatcherTuning(parsing: "") == MatcherTuning())
    }

    @Test("MatcherTuning rejects unknown names and bad values", arguments: ["bogus=1", "temperature", "epochs=many", "=3"])
    func badTuning(text: String) {
        #expect(throws: TuningError.self) { try MatcherTuning(parsing: text) }
    }

    @Test("SourceLocation and KnowledgeProblem print as FILE:LINE: message")
    func problemFormat() {
        let problem = KnowledgeProblem(SourceLocation(file: "Knowledge/a.yaml", line: 7), "bad thing")
        #expect(problem.description == "Knowledge/a.yaml:7: bad thing")
        let error = KnowledgeError(problems: [problem, KnowledgeProblem(SourceLocation(file: "b", line: 0), "other")])
        #expect(error.description == "Knowledge/a.yaml:7: bad thing\nb:0: other")
    }

    @Test("ConversationState round-trips through JSON")
    func stateCodable() throws {
        let state = ConversationState(topic: "blocked", platform: .ios, fixesGiven: ["blocked/ask_to_unblock"],
                                      pendingChoice: ["a", "b"], lastActivity: t0)
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(ConversationState.self, from: data) == state)
        #expect(ConversationState.idleExpiry == 30 * 60)
    }
}

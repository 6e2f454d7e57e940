import Foundation
import Testing

let intentIDs: Set<String> = [
    "calling_vs_ringing", "stuck_on_calling", "one_ring_unavailable", "blocked", "inactive_account",
    "recipient_network", "force_stop", "background_data", "do_not_disturb", "greeting", "thanks", "goodbye",
    "help", "handoff", "out_of_scope",
]

@Suite("ringbot classify")
struct ClassifyCLITests {
    @Test("one JSON object per input line, in order, with the contract's keys")
    func objectsPerLine() throws {
        let inputs = ["my whatsapp call keeps saying calling on my iPhone 13", "hello", "",
                      "whatsapp rings once then unavailable on my samsung", "how do i back up my chats"]
        let result = try CLI.run(["classify"], lines: inputs)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = try CLI.objects(result)
        try #require(objects.count == inputs.count, "stdout: \(result.stdout)")
        for (object, input) in zip(objects, inputs) {
            #expect(Set(object.keys) == ["text", "intent", "confidence", "platform"])
            #expect(object["text"] as? String == input)
            let intent = try #require(object["intent"] as? String)
            #expect(intentIDs.contains(intent), "unknown intent \(intent)")
            let confidence = try #require(object["confidence"] as? Double)
            #expect((0...1).contains(confidence))
            let platform = object["platform"]
            #expect(platform is NSNull || ["ios", "android"].contains(platform as? String), "platform: \(String(describing: platform))")
        }
        #expect(objects[0]["platform"] as? String == "ios")
        #expect(objects[0]["intent"] as? String == "stuck_on_calling")
        #expect(objects[1]["intent"] as? String == "greeting")
        #expect(objects[1]["platform"] is NSNull)
        #expect(objects[2]["intent"] as? String == "out_of_scope", "an empty line is out_of_scope")
        #expect(objects[3]["platform"] as? String == "android")
        #expect(objects[3]["intent"] as? String == "one_ring_unavailable")
        #expect(objects[4]["intent"] as? String == "out_of_scope")
    }

    @Test("the key order is the contract's: text, intent, confidence, platform")
    func keyOrder() throws {
        let result = try CLI.run(["classify"], lines: ["hi"])
        let line = try #require(result.stdoutLines.first)
        let positions = ["\"text\":", "\"intent\":", "\"confidence\":", "\"platform\":"].map {
            line.range(of: $0)?.lowerBound
        }
        #expect(positions.allSatisfy { $0 != nil }, "\(line)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "\(line)")
    }

    @Test("invalid UTF-8 bytes are replaced, never fatal")
    func invalidUTF8() throws {
        var input = Data("my whatsapp ".utf8)
        input.append(contentsOf: [0xFF, 0xFE])
        input.append(Data(" call never rings\nhello\n".utf8))
        let result = try CLI.run(["classify"], input: input)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = try CLI.objects(result)
        try #require(objects.count == 2, "stdout: \(result.stdout)")
        let text = try #require(objects[0]["text"] as? String)
        #expect(text.hasPrefix("my whatsapp "))
        #expect(text.contains("\u{FFFD}"))
        #expect(text.hasSuffix(" call never rings"))
        #expect(objects[1]["intent"] as? String == "greeting")
    }

    @Test("a line with NUL and ANSI escapes gives valid JSON that round-trips the text")
    func controlCharacters() throws {
        let nasty = "\u{1B}[31mwhatsapp\u{1B}[0m call\u{0} stuck \u{7}on calling \"quoted\" \\ back\tslash"
        let result = try CLI.run(["classify"], lines: [nasty, "hi"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}"), "raw escape bytes must not reach stdout")
        let objects = try CLI.objects(result)
        try #require(objects.count == 2, "stdout: \(result.stdout)")
        #expect(objects[0]["text"] as? String == nasty)
    }

    @Test("Windows line endings are stripped")
    func crlfInput() throws {
        let result = try CLI.run(["classify"], input: Data("hello\r\nthanks\r\n".utf8))
        let objects = try CLI.objects(result)
        #expect(objects.map { $0["text"] as? String } == ["hello", "thanks"])
    }

    @Test("no input gives no output and exit 0")
    func noInput() throws {
        let result = try CLI.run(["classify"], input: Data())
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }
}

@Suite("ringbot repl")
struct ReplCLITests {
    static let turns = ["my whatsapp call keeps saying calling", "I have an iPhone"]

    static func checkConversation(_ result: CLI.Result) throws {
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = try CLI.objects(result)
        try #require(objects.count == turns.count, "stdout: \(result.stdout)")
        for object in objects {
            // The contract's keys, and `phones`, added later (fields may be added, never renamed).
            #expect(Set(object.keys) == ["intent", "platform", "reply", "phones"])
            #expect(!((object["reply"] as? String) ?? "").isEmpty)
        }
        #expect(objects[0]["phones"] as? [String: NSNull] == ["user": NSNull(), "other": NSNull()])
        #expect(objects[1]["phones"] as? [String: NSObject] == ["user": "ios" as NSString, "other": NSNull()],
                "\"I have an iPhone\" is the user's own phone")
        let topic = try #require(objects[0]["intent"] as? String)
        #expect(topic == "stuck_on_calling")
        #expect(objects[0]["platform"] is NSNull)
        #expect(objects[1]["intent"] as? String == topic, "the follow-up answers the topic under discussion")
        #expect(objects[1]["platform"] as? String == "ios")
    }

    @Test("repl --json: one JSON object per turn of one conversation")
    func json() throws {
        try Self.checkConversation(try CLI.run(["repl", "--json"], lines: Self.turns))
    }

    @Test("repl with stdin from a pipe (not a terminal) also writes JSON")
    func pipe() throws {
        try Self.checkConversation(try CLI.run(["repl"], lines: Self.turns, viaPipe: true))
    }

    @Test("no subcommand is the repl")
    func defaultCommand() throws {
        try Self.checkConversation(try CLI.run([], lines: Self.turns, viaPipe: true))
    }

    @Test("\"that didn't work\" moves to the next fix; thanks closes; the reply is plain text")
    func longerConversation() throws {
        let result = try CLI.run(["repl", "--json"], lines: [
            "my whatsapp calls stay on calling and never ring", "that didn't work", "thanks, it rings now",
        ])
        let objects = try CLI.objects(result)
        try #require(objects.count == 3, "stdout: \(result.stdout)")
        #expect(objects.map { $0["intent"] as? String } == ["stuck_on_calling", "stuck_on_calling", "thanks"])
        let replies = objects.compactMap { $0["reply"] as? String }
        #expect(Set(replies).count == 3)
        #expect(replies.allSatisfy { !$0.contains("\u{1B}") && !$0.contains("<p>") })
    }
}

@Suite("ringbot eval")
struct EvalCLITests {
    static func devTSV() throws -> String {
        try #require(FileManager.default.fileExists(atPath: CLI.devTSV),
                     "Tests/Data/dev.tsv is missing (expected at \(CLI.devTSV))")
        return CLI.devTSV
    }

    @Test("eval dev.tsv exits 0 and prints accuracy and out-of-scope recall")
    func evalDev() throws {
        let result = try CLI.run(["eval", try Self.devTSV()])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.range(of: #"accuracy:\s+[01]\.\d\d"#, options: .regularExpression) != nil, "\(result.stdout)")
        #expect(result.stdout.range(of: #"out-of-scope recall:\s+[01]\.\d\d"#, options: .regularExpression) != nil)
        #expect(result.stdout.contains("platform accuracy:"))
        for id in intentIDs { #expect(result.stdout.contains(id), "per-intent line for \(id)") }
    }

    @Test("--min-accuracy above the accuracy exits 1")
    func minAccuracyFails() throws {
        // Two of four labels are wrong on purpose, so accuracy is at most 0.5.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-wrong-\(UUID().uuidString).tsv")
        try Data("text\tintent\tplatform\nhello\tblocked\t\nthanks a lot\tforce_stop\t\nbye\tgoodbye\t\nhi\tgreeting\t\n".utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["eval", file.path, "--min-accuracy", "0.75"])
        #expect(result.status == 1, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stderr.contains("below --min-accuracy"))
    }

    @Test("accuracy gate: dev.tsv scores at least 0.97")
    func accuracyGate() throws {
        let result = try CLI.run(["eval", try Self.devTSV(), "--min-accuracy", "0.97"])
        let accuracy = result.stdout.split(separator: "\n").first { $0.hasPrefix("accuracy:") } ?? "?"
        #expect(result.status == 0, "\(accuracy); stderr: \(result.stderr)")
    }

    @Test("--min-accuracy outside [0, 1] is bad usage")
    func minAccuracyRange() throws {
        let result = try CLI.run(["eval", try Self.devTSV(), "--min-accuracy", "97"])
        #expect(result.status == 64 || result.status == 2, "status \(result.status)")
        #expect(result.stderr.contains("--min-accuracy"))
    }

    @Test("a malformed TSV exits 2 with FILE:LINE: message on stderr")
    func malformed() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = try scratch.write("bad.tsv", "text\tintent\tplatform\nhello\tgreeting\t\nno tabs on this line\n")
        let result = try CLI.run(["eval", file])
        #expect(result.status == 2)
        #expect(result.stderrLines.first == "\(file):3: expected 2 or 3 tab-separated fields (text, intent, platform), found 1")
        #expect(result.stderrLines.allSatisfy(isProblemLine), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a TSV saved with Windows line endings is scored line by line")
    func crlfTSV() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = try scratch.write("crlf.tsv", "text\tintent\tplatform\r\nhello\tgreeting\t\r\nthank you\tthanks\t\r\n")
        let result = try CLI.run(["eval", file])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("utterances:          2"), "\(result.stdout)")
    }

    @Test("an unknown intent label exits 2 naming its line")
    func unknownIntent() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let file = try scratch.write("unknown.tsv", "text\tintent\tplatform\nhello\tgreeting\t\nhi\tsmalltalk\t\n")
        let result = try CLI.run(["eval", file])
        #expect(result.status == 2)
        #expect(result.stderrLines.first?.hasPrefix("\(file):3: unknown intent `smalltalk`") == true, "\(result.stderr)")
    }

    @Test("a missing file exits 2 naming the file")
    func missingFile() throws {
        let result = try CLI.run(["eval", "/nonexistent/data.tsv"])
        #expect(result.status == 2)
        #expect(result.stderrLines.first?.hasPrefix("/nonexistent/data.tsv:0: ") == true, "\(result.stderr)")
    }

    @Test("eval heldout.tsv (Tests/Data/heldout.tsv)",
          .enabled(if: FileManager.default.fileExists(atPath: CLI.heldoutTSV),
                   "Tests/Data/heldout.tsv does not exist yet (written by another engineer)"))
    func heldout() throws {
        let result = try CLI.run(["eval", CLI.heldoutTSV])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("accuracy:"))
        #expect(result.stdout.contains("out-of-scope recall:"))
    }
}

@Suite("ringbot kb check and broken knowledge")
struct KnowledgeCLITests {
    /// A knowledge folder with one mistake: an unknown key in an intent.
    static func brokenKnowledge(_ scratch: Scratch) throws -> (folder: String, firstProblem: String) {
        _ = try scratch.write("kb/settings.yaml", "kind: settings\ncontact: \"Call us.\"\n")
        _ = try scratch.write("kb/out_of_scope.yaml", """
            kind: intent
            id: out_of_scope
            title: Outside
            role: fallback
            summary: No.
            examples: [weather today, tell me a joke, football scores]
            """)
        let topic = try scratch.write("kb/topic.yaml", """
            kind: intent
            id: topic
            title: A topic
            summary: Yes.
            examples: [one example, two examples, three examples]
            sumary: misspelt
            """)
        return (scratch.url.appendingPathComponent("kb").path, "\(topic):6: unknown key `sumary`; did you mean `summary`?")
    }

    @Test("kb check on the real knowledge exits 0; cross-validation warnings are FILE:LINE: warning lines", arguments: ["hybrid", "lexical"])
    func realKnowledge(matcher: String) throws {
        let result = try CLI.run(["kb", "check", "--matcher", matcher])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("OK"))
        let summary = try #require(result.stdoutLines.first { $0.hasPrefix("cross-validation (\(matcher), 5-fold): ") })
        let words = summary.split(separator: " ")
        let correct = try #require(Double(words[3])), total = try #require(Double(words[5]))
        #expect(correct / total >= 0.88, "\(summary)")
        let warnings = result.stderrLines.filter { !$0.hasPrefix("compil") }
        #expect(warnings.count == Int(total - correct), "\(summary)")
        #expect(warnings.allSatisfy { $0.contains("/Knowledge/") && $0.contains(": warning: example \"") }, "\(warnings.prefix(3))")
    }

    @Test("kb check on a broken folder exits 2 with FILE:LINE: message lines")
    func broken() throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let (folder, first) = try Self.brokenKnowledge(scratch)
        let result = try CLI.run(["kb", "check", "--knowledge", folder])
        #expect(result.status == 2)
        #expect(result.stderrLines.first == first, "\(result.stderr)")
        #expect(result.stderrLines.dropLast().allSatisfy(isProblemLine), "\(result.stderr)")
        #expect(result.stderrLines.last == "1 problem found")
    }

    @Test("every command fails the same clear way on broken knowledge", arguments: [
        ["classify"], ["repl", "--json"], ["eval", "DEV"],
    ])
    func everyCommandFails(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        let (folder, first) = try Self.brokenKnowledge(scratch)
        let args = arguments.map { $0 == "DEV" ? CLI.devTSV : $0 } + ["--knowledge", folder]
        let result = try CLI.run(args, lines: ["hello"])
        #expect(result.status == 2)
        #expect(result.stderrLines.first == first, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a knowledge folder that does not exist exits 2 naming it")
    func missingFolder() throws {
        let result = try CLI.run(["classify", "--knowledge", "/nonexistent/kb"], lines: ["hi"])
        #expect(result.status == 2)
        #expect(result.stderrLines.first?.hasPrefix("/nonexistent/kb:0: knowledge folder not found") == true, "\(result.stderr)")
    }

    @Test("the binary finds Knowledge/ without --knowledge from another working directory")
    func findsKnowledgeFromElsewhere() throws {
        let elsewhere = URL(fileURLWithPath: "/tmp")
        let classify = try CLI.run(["classify"], lines: ["my whatsapp call keeps saying calling"], cwd: elsewhere)
        #expect(classify.status == 0, "stderr: \(classify.stderr)")
        #expect(try CLI.objects(classify).first?["intent"] as? String == "stuck_on_calling")
        let check = try CLI.run(["kb", "check"], cwd: elsewhere)
        #expect(check.status == 0, "stderr: \(check.stderr)")
        #expect(check.stdout.hasPrefix(CLI.knowledge), "\(check.stdout)")
    }
}

@Suite("exit status")
struct ExitStatusCLITests {
    @Test("bad usage exits 2 with a message that says what to do", arguments: [
        ["eval"],
        ["eval", "x.tsv", "--min-accuracy", "2"],
        ["classify", "--no-such-flag"],
    ])
    func badUsageExitsTwo(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Usage:") || result.stderr.contains("Error:"), "stderr: \(result.stderr)")
    }

    @Test("--help and --version exit 0")
    func helpExitsZero() throws {
        #expect(try CLI.run(["--help"]).status == 0)
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
    }
}

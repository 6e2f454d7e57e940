import Foundation
import Testing
import RingBotCore
import RingBotKnowledge

/// Where the test fixtures and the real knowledge are.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let realKnowledge = packageRoot.appendingPathComponent("Knowledge").path
    /// The intent ids every labelled set uses, in the repository's own copy of the contract.
    static let intentsContract = packageRoot.appendingPathComponent("docs/intents.md").path

    /// The copied `Fixtures` folder of the test bundle.
    static func fixtures() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures missing from the test bundle")
    }

    static func fixture(_ name: String) throws -> String {
        try fixtures().appendingPathComponent(name).path
    }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TempFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("ringbot-knowledge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Copies the files of a fixture folder into this one.
    func copy(fixture name: String) throws {
        let source = try Paths.fixture(name)
        for entry in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + entry, toPath: path + "/" + entry)
        }
    }

    func write(_ name: String, _ text: String) throws {
        try write(name, Data(text.utf8))
    }

    func write(_ name: String, _ data: Data) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The problems `load` throws for `directory` (recording an issue if it loads), as `FILE:LINE: message` lines.
func loadProblems(_ directory: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
    do {
        let knowledge = try KnowledgeLoader.load(directory: directory)
        Issue.record("loaded \(knowledge.intents.count) intents; expected problems", sourceLocation: sourceLocation)
        return []
    } catch {
        #expect(!error.problems.isEmpty, sourceLocation: sourceLocation)
        #expect(error.description == error.problems.map(\.description).joined(separator: "\n"), sourceLocation: sourceLocation)
        return error.problems.map(\.description)
    }
}

@Suite("Knowledge loader: a valid folder")
struct ValidKnowledgeTests {
    @Test("the minimal valid fixture loads with its settings, pack, lexicon and intents")
    func loadsValid() throws {
        let directory = try Paths.fixture("valid")
        let knowledge = try KnowledgeLoader.load(directory: directory)
        #expect(knowledge.settings.botName == "WidgetBot")
        #expect(knowledge.settings.contact == "Email help@example.org.")
        #expect(knowledge.settings.answerThreshold == 0.4)
        #expect(knowledge.settings.clarifyMargin == 0.1)
        #expect(knowledge.settings.askMore == KnowledgeSettings().askMore, "ask_more is optional")
        #expect(knowledge.packs.map(\.id) == ["widgets"])
        #expect(knowledge.packs.first?.location.description == directory + "/widgets/pack.yaml:1")
        #expect(Set(knowledge.intents.map(\.id)) == ["out_of_scope", "reset", "battery"])
        #expect(knowledge.intent(role: .fallback)?.id == "out_of_scope")
        #expect(knowledge.intent("out_of_scope")?.pack == nil, "an intent outside a pack folder belongs to every pack")
        #expect(knowledge.intent("reset")?.pack == "widgets")
        #expect(knowledge.intent("battery")?.pack == "widgets")
        #expect(knowledge.lexicon.concepts.map(\.name) == ["widget"])
        #expect(knowledge.lexicon.platformTerms[.android] == ["android", "samsung"])
        #expect(knowledge.lexicon.platformTerms[.ios] == ["iphone", "ios"])
        #expect(knowledge.lexicon.stopwords == ["the", "a", "my"])
        #expect(knowledge.lexicon.anchors == ["widget"])
        #expect(knowledge.lexicon.cues[.notFixed] == ["didnt work"])
        #expect(knowledge.lexicon.cues[.fixed] == ["works now"])
    }

    @Test("intent fields and their source lines are read")
    func intentFields() throws {
        let directory = try Paths.fixture("valid")
        let knowledge = try KnowledgeLoader.load(directory: directory)
        let reset = try #require(knowledge.intent("reset"))
        #expect(reset.role == .topic)
        #expect(reset.title == "Resetting a widget")
        #expect(reset.summary == "Hold the button for ten seconds.")
        #expect(reset.steps.android == ["Open the widget app.", "Tap Reset."])
        #expect(reset.steps.ios == ["Open Settings.", "Tap Widgets, then Reset."])
        #expect(reset.isPlatformSpecific)
        #expect(reset.examples.map(\.text) == ["how do i reset my widget", "widget reset please", "factory reset the gadget"])
        #expect(reset.examples.map(\.location.description) == [13, 14, 15].map { "\(directory)/widgets/reset.yaml:\($0)" })
        #expect(reset.related == ["battery"])
        #expect(reset.relatedLocations.map(\.line) == [16])
        #expect(reset.doneBy == .user)
        let battery = try #require(knowledge.intent("battery"))
        #expect(battery.fixes.map(\.id) == ["charge"])
        #expect(battery.fixes.first?.location.line == 6)
        #expect(battery.phrases.map(\.text) == ["battery"])
        #expect(battery.phrases.first?.weight == 4)
        #expect(battery.fixes.first?.doneBy == nil, "done_by is optional where no steps differ by phone")
    }

    @Test("check reports nothing for the valid fixture, and the assistant answers from it")
    func checkValid() throws {
        let directory = try Paths.fixture("valid")
        #expect(KnowledgeLoader.check(directory: directory).map(\.description) == [])
        let assistant = Assistant(knowledge: try KnowledgeLoader.load(directory: directory))
        #expect(assistant.classify("how can i reset the widget").intent == "reset")
        #expect(assistant.classify("widget battery flat again").intent == "battery")
    }

    @Test("the real Knowledge/ folder loads and check reports no problems")
    func realKnowledge() throws {
        let knowledge = try KnowledgeLoader.load(directory: Paths.realKnowledge)
        #expect(knowledge.intents.count >= 15)
        #expect(!knowledge.settings.contact.isEmpty)
        let problems = KnowledgeLoader.check(directory: Paths.realKnowledge)
        #expect(problems.isEmpty, "\(problems.map(\.description).joined(separator: "\n"))")
    }

    @Test("every intent id of docs/intents.md exists in Knowledge/")
    func contractIntents() throws {
        let contract = try String(contentsOfFile: Paths.intentsContract, encoding: .utf8)
        let ids = contract.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
        #expect(ids.count == 15, "ids read from intents.md: \(ids)")
        let knowledge = try KnowledgeLoader.load(directory: Paths.realKnowledge)
        for id in ids {
            #expect(knowledge.intent(id) != nil, "intent `\(id)` of the contract is missing")
        }
        #expect(knowledge.intent("out_of_scope")?.role == .fallback)
    }

    @Test("a folder that does not exist is a problem, not a crash")
    func missingFolder() {
        let directory = "/nonexistent/ringbot-knowledge"
        #expect(loadProblems(directory) == [
            "\(directory):0: knowledge folder not found; pass --knowledge PATH to a folder of .yaml files",
        ])
    }
}

/// One fixture folder per mistake, and the exact problems it must produce (`$` stands for the folder).
let mistakeFixtures: [(String, [String])] = [
    ("yaml-tab", ["$/tabbed.yaml:6: YAML syntax error: found character that cannot start any token (while scanning for the next token at line 6); quote text that starts with a special character, and indent with spaces, not tabs"]),
    ("yaml-colon", ["$/colon.yaml:4: YAML syntax error: mapping values are not allowed in this context; quote text that contains `: `"]),
    ("unknown-key", ["$/typo.yaml:9: unknown key `releated`; did you mean `related`?"]),
    ("missing-summary", ["$/nosummary.yaml:1: missing required field `summary`"]),
    ("examples-string", [
        "$/string.yaml:5: `examples` must be a list (lines starting with `- `), found the text \"how do i reset my widget\"",
        "$/string.yaml:5: intent `stringy` needs at least 3 `examples` (it has 0); the matcher learns from them",
    ]),
    ("android-only-steps", ["$/android.yaml:6: steps are given for Android but not for iPhone; add `ios:` steps"]),
    ("few-examples", ["$/few.yaml:6: intent `few` needs at least 3 `examples` (it has 2); the matcher learns from them"]),
    // The line of the second `title:` (the one to remove), not of the first.
    ("duplicate-key", ["$/dupkey.yaml:5: duplicate key `title` in one mapping; keep one"]),
    ("empty-file", ["$/empty.yaml:1: file is empty; start it with a `kind:` line"]),
    ("unknown-kind", ["$/kind.yaml:1: unknown kind `intnet`; use one of `settings`, `pack`, `lexicon`, `intent`"]),
    ("duplicate-id", ["$/battery_again.yaml:1: duplicate intent id `battery`; it is first defined at $/battery.yaml:1"]),
    ("dangling-related", ["$/battery.yaml:15: `battery` links to unknown topic `batery`; did you mean `battery`?"]),
    ("bad-done-by", ["$/reset.yaml:9: unknown `done_by: the_caller`; use `caller` or `other_person` (who does it on their own phone)"]),
    ("missing-done-by", ["$/reset.yaml:6: fix `hold` of `reset` has Android and iPhone steps but does not say who does it; add `done_by: caller` or `done_by: other_person`"]),
    ("no-settings", ["$:0: no `kind: settings` file; add one (bot_name, contact, thresholds)"]),
    ("two-settings", ["$/settings_copy.yaml:1: a second `kind: settings` file; settings are already defined at $/settings.yaml:1"]),
]

@Suite("Knowledge loader: one mistake per folder")
struct MistakeTests {
    @Test("each mistake gives exact FILE:LINE: message problems, and load throws", arguments: mistakeFixtures)
    func mistake(folder: String, expected: [String]) throws {
        let directory = try Paths.fixture(folder)
        let expected = expected.map { $0.replacingOccurrences(of: "$", with: directory) }
        #expect(loadProblems(directory) == expected)
        #expect(KnowledgeLoader.check(directory: directory).map(\.description) == expected)
    }

    @Test("a mistake's file path is relative to the folder passed")
    func relativePath() throws {
        let directory = try Paths.fixture("few-examples")
        // Passing the same folder with a trailing slash keeps the path as given, without doubling the slash.
        let problems = loadProblems(directory + "/")
        #expect(problems.first?.hasPrefix(directory + "/few.yaml:6: ") == true, "\(problems)")
    }
}

@Suite("Knowledge loader: files made at test time")
struct GeneratedFileTests {
    @Test("a file that is not UTF-8 is reported at its first bad line")
    func notUTF8() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        var bytes = Data("kind: intent\nid: latin\ntitle: Caf".utf8)
        bytes.append(contentsOf: [0xE9, 0x0A])  // "é" in Latin-1
        bytes.append(Data("summary: x\n".utf8))
        try folder.write("latin1.yaml", bytes)
        #expect(loadProblems(folder.path) == ["\(folder.path)/latin1.yaml:3: file is not valid UTF-8 text; save it as UTF-8"])
    }

    @Test("invalid UTF-8 bytes 0xFF 0xFE on the first line")
    func byteOrderGarbage() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.write("bom.yaml", Data([0xFF, 0xFE, 0x6B, 0x00, 0x69, 0x00]))
        #expect(loadProblems(folder.path) == ["\(folder.path)/bom.yaml:1: file is not valid UTF-8 text; save it as UTF-8"])
    }

    @Test("a file over 1 MiB is refused without being parsed", arguments: [(1 << 20) + 1, 10_000_000])
    func tooLarge(size: Int) throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        // Valid-looking YAML, so only the size check can refuse it.
        var text = Data("kind: intent\nexamples:\n".utf8)
        let line = Data("  - my whatsapp call says calling\n".utf8)
        while text.count + line.count <= size { text.append(line) }
        text.append(Data(repeating: 0x20, count: size - text.count))
        try folder.write("huge.yaml", text)
        #expect(loadProblems(folder.path) == [
            "\(folder.path)/huge.yaml:1: file is too large (\(size) bytes, the limit is \(1 << 20)); split it into several files",
        ])
    }

    @Test("a symbolic link back to the folder is cut, reported once")
    func symlinkLoop() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.copy(fixture: "valid")
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/widgets/loop", withDestinationPath: folder.path)
        #expect(loadProblems(folder.path) == [
            "\(folder.path)/widgets/loop:0: folder is reached twice (a symbolic link loop?); skipped",
        ])
    }

    @Test("a symbolic link to itself is reported as broken or looping")
    func selfLink() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.copy(fixture: "valid")
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/self.yaml", withDestinationPath: folder.path + "/self.yaml")
        #expect(loadProblems(folder.path) == ["\(folder.path)/self.yaml:0: broken or looping symbolic link; remove it"])
    }

    @Test("a file with NUL bytes is refused")
    func nulBytes() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.write("nul.yaml", "kind: intent\u{0}\n")
        #expect(loadProblems(folder.path) == ["\(folder.path)/nul.yaml:1: file contains NUL bytes; is it really a YAML file?"])
    }

    @Test("a valid copy loads from a temporary folder; files that are not YAML are ignored")
    func copyLoads() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.copy(fixture: "valid")
        try folder.write("notes.txt", "kind: nonsense")
        try folder.write(".hidden.yaml", "kind: nonsense")
        let knowledge = try KnowledgeLoader.load(directory: folder.path)
        #expect(knowledge.intents.count == 3)
    }

    @Test("every problem of several broken files is reported, in path order")
    func severalProblems() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.write("a.yaml", "kind: intent\nid: a\ntitle: A\nexamples: [x, y, z]\n")
        try folder.write("b.yaml", "kind: pack\ntitle: B\n")
        #expect(loadProblems(folder.path) == [
            "\(folder.path)/a.yaml:1: missing required field `summary`",
            "\(folder.path)/b.yaml:1: missing required field `id`",
        ])
    }
}

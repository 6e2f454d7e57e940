import Foundation
import Testing

/// The built `ringbot` binary: next to this test bundle (same build folder), else
/// `.build/debug/ringbot` in the repository.
func ringbotBinary() -> URL? {
    var candidates: [URL] = []
    for path in [Bundle.main.executablePath, CommandLine.arguments.first].compactMap({ $0 }) {
        var dir = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {  // …/debug/RingBotPackageTests.xctest[/Contents/MacOS]/…
            candidates.append(dir.appendingPathComponent("ringbot"))
            dir.deleteLastPathComponent()
        }
    }
    candidates.append(repositoryRoot.appendingPathComponent(".build/debug/ringbot"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
}

struct RunResult {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs `ringbot` with `arguments` and `input` on stdin (from a file: no pipe deadlocks on 1 MB),
/// killing it after `watchdog` seconds (a hang guard, not a performance check).
func runRingbot(_ arguments: [String], input: Data, watchdog: TimeInterval = 120) throws -> RunResult? {
    guard let binary = ringbotBinary() else {
        let message = "ringbot binary not found next to the test bundle nor at \(repositoryRoot.path)/.build/debug/ringbot; "
            + "run `swift build --product ringbot` (make test does)"
        Issue.record(Comment(rawValue: message))
        return nil
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-robustness-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out"),
        errURL = dir.appendingPathComponent("err")
    try input.write(to: inURL)
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let stdin = try FileHandle(forReadingFrom: inURL), stdout = try FileHandle(forWritingTo: outURL),
        stderr = try FileHandle(forWritingTo: errURL)
    defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }

    let process = Process()
    process.executableURL = binary
    process.arguments = arguments + ["--knowledge", repositoryRoot.appendingPathComponent("Knowledge").path]
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let deadline = Date().addingTimeInterval(watchdog)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        Issue.record("ringbot \(arguments.joined(separator: " ")) still running after \(Int(watchdog)) s; killed")
        return nil
    }
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                     stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// Hostile stdin for the CLI, one line per case (raw bytes: the CLI must repair them itself).
enum CLIInput {
    static let lines: [(name: String, bytes: [UInt8])] = {
        var lines: [(String, [UInt8])] = [
            ("invalid UTF-8", [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array(" whatsapp call stuck".utf8)),
            ("invalid UTF-8 only", [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80]),
            ("truncated sequences", [0xE2, 0x82, 0x20, 0xF0, 0x9F, 0x98, 0x20, 0xC3]),
            ("NUL bytes", Array("call".utf8) + [0] + Array("ing stuck".utf8) + [0, 0]),
            ("only NUL", [0]),
            ("1 MB line", Array(String(repeating: "whatsapp call stuck on calling ", count: (1 << 20) / 31 + 1).utf8)),
            ("ANSI CSI and OSC", Array("\u{1B}[31mred\u{1B}[0m \u{1B}]0;pwned\u{7} it rings once \u{1B}[2J\u{1B}]8;;x\u{1B}\\".utf8)),
            ("C1 controls", Array("\u{9B}31m call \u{9D}0;x\u{9C} \u{85}next".utf8)),
            ("lone ESC at end", Array("blocked?\u{1B}".utf8)),
            ("CR in the middle", Array("stuck\ron calling".utf8)),
            ("CRLF", Array("i have an iphone\r".utf8)),
            ("empty", []),
            ("whitespace only", Array(" \t \u{A0}\u{3000} ".utf8)),
            ("line and paragraph separators", Array("call\u{2028}stuck\u{2029}".utf8)),
            ("HTML", Array("<script>alert(1)</script><img src=x onerror=alert(1)> &amp;".utf8)),
            ("Markdown", Array("[x](javascript:alert(1)) **blocked** `rm -rf`".utf8)),
            ("bidi override", Array("\u{202E}gnillac no kcuts\u{202C} \u{2067}שלום\u{2069}".utf8)),
            ("emoji", Array("👨‍👩‍👧‍👦 📞 🇩🇪 👍🏽 still not ringing".utf8)),
            ("combining stack", Array(("c" + String(repeating: "\u{301}", count: 500) + "all").utf8)),
            ("kcal word", Array(String(repeating: "\u{3389}", count: 1000).utf8)),
            ("quotes and backslashes", Array("\"\\\"\\u0000\\n\" '".utf8)),
        ]
        // One generated case per family, with its newlines turned into spaces.
        for family in BadInput.allCases {
            let text = family.generate(seed: 7).replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\u{85}", with: " ")
            lines.append(("generated \(family)", Array(text.utf8)))
        }
        return lines
    }()

    /// Every line followed by LF, except the last (no final newline: still a line).
    static var stdin: Data {
        var data = Data()
        for (index, line) in lines.enumerated() {
            data.append(contentsOf: line.bytes)
            if index < lines.count - 1 { data.append(0x0A) }
        }
        return data
    }

    /// What the CLI should see as each line's text: UTF-8 repaired, a final CR dropped.
    static func expectedText(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasSuffix("\r") ? String(text.dropLast()) : text
    }
}

/// The output's lines, checked to be raw-ESC-free, control-free (JSON escapes them) and valid UTF-8.
func outputObjects(_ result: RunResult, command: String) -> [[String: Any]] {
    let bytes = [UInt8](result.stdout)
    #expect(!bytes.contains(0x1B), "\(command): raw ESC byte in stdout")
    #expect(!bytes.contains { $0 < 0x20 && $0 != 0x0A }, "\(command): raw control byte in stdout")
    #expect(String(validating: bytes, as: UTF8.self) != nil, "\(command): stdout is not valid UTF-8")
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    var objects: [[String: Any]] = []
    for (n, line) in lines.enumerated() {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            Issue.record("\(command): output line \(n + 1) is not a JSON object: \(String(decoding: line.prefix(200), as: UTF8.self))")
            objects.append([:])
            continue
        }
        objects.append(object)
    }
    return objects
}

func expectPlatform(_ value: Any?, _ context: String) {
    let ok = value is NSNull || (value as? String).map { ["android", "ios"].contains($0) } == true
    #expect(ok, "\(context): platform \(String(describing: value))")
}

@Suite("Bad input: the ringbot CLI", .serialized)
struct CLIRobustnessTests {
    @Test("classify: exit 0, one valid JSON object per input line, text repaired, no raw ESC")
    func classify() throws {
        guard let result = try runRingbot(["classify"], input: CLIInput.stdin) else { return }
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr.prefix(500))")
        let objects = outputObjects(result, command: "classify")
        #expect(objects.count == CLIInput.lines.count, "\(objects.count) objects for \(CLIInput.lines.count) lines")
        for (object, line) in zip(objects, CLIInput.lines) {
            let context = "classify, line \"\(line.name)\" (\(hex(String(decoding: line.bytes, as: UTF8.self), limit: 40)))"
            #expect(Array(object.keys).sorted() == ["confidence", "intent", "platform", "text"], "\(context): keys \(object.keys)")
            #expect((object["intent"] as? String).map(knownIntents.contains) == true, "\(context): intent \(String(describing: object["intent"]))")
            if let confidence = (object["confidence"] as? NSNumber)?.doubleValue {
                expectValidConfidence(confidence, context)
            } else {
                Issue.record("\(context): confidence \(String(describing: object["confidence"]))")
            }
            expectPlatform(object["platform"], context)
            let text = object["text"] as? String
            #expect(text.map { $0.unicodeScalars.elementsEqual(CLIInput.expectedText(line.bytes).unicodeScalars) } == true,
                    "\(context): text \(hex(text ?? "<missing>", limit: 40))")
        }
        if let empty = CLIInput.lines.firstIndex(where: { $0.name == "empty" }), empty < objects.count {
            #expect(objects[empty]["intent"] as? String == "out_of_scope")
        }
    }

    @Test("repl --json: exit 0, one valid JSON object per turn, no raw ESC")
    func replJSON() throws {
        guard let result = try runRingbot(["repl", "--json"], input: CLIInput.stdin) else { return }
        #expect(result.status == 0, "exit \(result.status); stderr: \(result.stderr.prefix(500))")
        let objects = outputObjects(result, command: "repl --json")
        #expect(objects.count == CLIInput.lines.count, "\(objects.count) objects for \(CLIInput.lines.count) turns")
        for (object, line) in zip(objects, CLIInput.lines) {
            let context = "repl --json, turn \"\(line.name)\""
            // The contract's keys and `phones` (fields may be added, never renamed).
            #expect(Array(object.keys).sorted() == ["intent", "phones", "platform", "reply"], "\(context): keys \(object.keys)")
            #expect((object["intent"] as? String).map(knownIntents.contains) == true, "\(context): intent \(String(describing: object["intent"]))")
            expectPlatform(object["platform"], context)
            let reply = object["reply"] as? String
            #expect(reply.map { !$0.isEmpty } == true, "\(context): reply \(String(describing: reply))")
            #expect(reply.map { !$0.unicodeScalars.contains("\u{1B}") } == true, "\(context): ESC in reply")
        }
    }

    /// Regression for the cubic typo search (see `BoundedWorkTests.longFoldedWords`): three lines of
    /// 1000 x U+3389 took ~340 s before the fix, well under a second after. The watchdog is a hang
    /// guard with a wide margin, not a performance measurement.
    @Test("classify on 4000-letter folded words finishes (process watchdog)")
    func longFoldedWordIsQuick() throws {
        let line = Array(String(repeating: "\u{3389}", count: 1000).utf8)
        guard let result = try runRingbot(["classify"], input: Data(line + [0x0A] + line + [0x0A] + line), watchdog: 60) else { return }
        #expect(result.status == 0)
        #expect(outputObjects(result, command: "classify on kcal words").count == 3)
    }

    static let streams: [(name: String, bytes: [UInt8], lines: Int)] = [
            ("invalid bytes, no newline", [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80], 1),
            ("NULs and newlines", [0, 0x0A, 0, 0, 0x0A], 2),
            ("CRLF only", [0x0D, 0x0A, 0x0D, 0x0A], 2),
            ("lone CR", [0x0D], 1),
            ("empty stdin", [], 0),
        ]

    @Test("classify and repl on stdin that is nothing but invalid bytes, NULs or a lone CR")
    func degenerateStreams() throws {
        for (name, bytes, count) in Self.streams {
            for arguments in [["classify"], ["repl", "--json"]] {
                guard let result = try runRingbot(arguments, input: Data(bytes)) else { return }
                let command = arguments.joined(separator: " ") + " on \(name)"
                #expect(result.status == 0, "\(command): exit \(result.status); stderr: \(result.stderr.prefix(300))")
                #expect(outputObjects(result, command: command).count == count, "\(command)")
            }
        }
    }
}

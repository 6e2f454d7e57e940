import Foundation
import Testing
import RingBotCore
import RingBotRuntime

/// The state store killed (SIGKILL) in the middle of its writes: the writer is this test
/// binary itself, started again as a child process that runs only
/// ``writesUntilKilled()`` (see ``childVariable``), so the kill lands inside real
/// ``StateStore`` transactions at an arbitrary moment.
@Suite(.serialized) struct StateStoreCrashTests {
    /// Set in the child's environment to the database path: the child then writes until killed.
    static let childVariable = "RINGBOT_STORE_CRASH_CHILD"

    /// Turn `i` commits, in one transaction, the conversation of user `@u<i>`, the handled
    /// event `$<i>` and the unanswered question `q<i>`; then, in a second transaction, the
    /// sync position `s<i>`. After each, it prints `committed <i>`.
    static let account = AccountKey(platform: "test", account: "bot")

    static func turn(_ index: Int) -> CompletedTurn {
        CompletedTurn(conversation: account.conversation(room: "!crash:x", user: "@u\(index)"), messageIDs: ["$\(index)"],
                      state: ConversationState(topic: "stuck_on_calling", platform: .ios),
                      unanswered: [UnansweredQuestion(text: "q\(index)", askedAt: Date(timeIntervalSince1970: Double(index)),
                                                      senderHash: "h\(index)", bestGuess: "out_of_scope", confidence: 0.1)],
                      completedAt: Date(timeIntervalSince1970: Double(index)))
    }

    /// The child's part; in a normal run it is the parent of three children.
    @Test func aStoreKilledDuringWritesReopensWithEveryCommittedTurnWholeAndNoHalfTurn() async throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            try Self.writeUntilKilled(path: path)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ringbot.sqlite"

        var committedBefore = 0
        for round in 0..<3 {
            // Kill after a random number of reported commits; the child keeps writing meanwhile.
            let killAfter = committedBefore + Int.random(in: 20...300)
            let reported = try await Self.runChildAndKill(path: path, afterCommit: killAfter)
            #expect(reported >= killAfter, "round \(round)")

            let store = try StateStore(path: path)   // opens (and migrates) without error
            let raw = try Self.sqliteCheck(path: path)
            #expect(raw.integrity == "ok", "round \(round)")
            #expect(raw.migrations == ["runtime-v1"], "round \(round)")
            // Each turn is whole or absent: its conversation, handled event and unanswered
            // question are there together, for the same prefix 0..<n of the turns.
            let unanswered = try store.unansweredQuestions().map(\.text)
            let count = unanswered.count
            #expect(unanswered == (0..<count).map { "q\($0)" }, "round \(round)")
            #expect(raw.handled == count && raw.conversations == count, "round \(round): \(raw), \(count) questions")
            for index in 0..<(count + 3) {
                #expect(try store.isHandled("$\(index)", for: Self.account) == (index < count), "round \(round), turn \(index)")
                let state = try store.conversationState(for: Self.account.conversation(room: "!crash:x", user: "@u\(index)"))
                #expect((state?.topic == "stuck_on_calling") == (index < count), "round \(round), turn \(index)")
            }
            // Every turn the child reported as committed survived the kill.
            #expect(count >= reported, "round \(round): \(count) turns stored, \(reported) reported committed")
            // The sync position is the last turn's, or the one before when the kill fell between the two.
            #expect(["s\(count - 1)", "s\(count - 2)"].contains(try store.cursor(for: Self.account)?.cursor), "round \(round)")
            committedBefore = count
        }
    }

    /// The child: continues from what the store holds and writes turns until it is killed.
    static func writeUntilKilled(path: String) throws -> Never {
        let store = try StateStore(path: path)
        var index = try store.unansweredQuestions().count
        while true {
            try store.commit(turn(index))
            try store.saveCursor("s\(index)", for: account, at: Date(timeIntervalSince1970: Double(index)))
            FileHandle.standardOutput.write(Data("committed \(index + 1)\n".utf8))
            index += 1
        }
    }

    /// Starts this test binary as a writer child, SIGKILLs it once it reported `afterCommit`
    /// commits, and returns the highest count it reported.
    static func runChildAndKill(path: String, afterCommit: Int) async throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["--testing-library", "swift-testing", "--filter",
                             "StateStoreCrashTests/aStoreKilledDuringWrites"]
        var environment = ProcessInfo.processInfo.environment
        environment[childVariable] = path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        var buffer = Data()
        var reported = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while reported < afterCommit {
            let chunk = reader.availableData
            if chunk.isEmpty {
                throw StoreCrashError("the writer child ended after \(reported) commits (status \(process.isRunning ? -1 : process.terminationStatus))")
            }
            buffer.append(chunk)
            reported = Self.lastCommit(in: buffer) ?? reported
            if ContinuousClock.now >= deadline { kill(process.processIdentifier, SIGKILL); throw StoreCrashError("the writer child is too slow") }
        }
        kill(process.processIdentifier, SIGKILL)
        // Lines written before the kill still count as committed.
        buffer.append(reader.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        return Self.lastCommit(in: buffer) ?? reported
    }

    /// The count in the last complete `committed <n>` line.
    static func lastCommit(in data: Data) -> Int? {
        guard let end = data.lastIndex(of: UInt8(ascii: "\n")) else { return nil }
        let lines = String(decoding: data[..<end], as: UTF8.self).split(separator: "\n")
        return lines.last.flatMap { Int($0.dropFirst("committed ".count)) }
    }

    /// SQLite's own view of the file, through python3's sqlite3 (independent of GRDB).
    static func sqliteCheck(path: String) throws -> (integrity: String, migrations: [String], handled: Int, conversations: Int) {
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(json.dumps({
                "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
                "migrations": [r[0] for r in db.execute("SELECT identifier FROM grdb_migrations ORDER BY identifier")],
                "handled": db.execute("SELECT count(*) FROM handled_message").fetchone()[0],
                "conversations": db.execute("SELECT count(*) FROM conversation_state").fetchone()[0]}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let integrity = json["integrity"] as? String, let migrations = json["migrations"] as? [String],
              let handled = json["handled"] as? Int, let conversations = json["conversations"] as? Int
        else { throw StoreCrashError("python3 could not read \(path): \(String(decoding: data, as: UTF8.self))") }
        return (integrity, migrations, handled, conversations)
    }
}

struct StoreCrashError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

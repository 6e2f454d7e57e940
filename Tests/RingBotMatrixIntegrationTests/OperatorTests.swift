import Foundation
import RingBotTestSupport
import Testing

/// What an operator meets on a real Synapse: people typing in fragments, a burst with the
/// default flood settings across a SIGKILL, a wrong address, a stop while the server is
/// down, the state file's permissions. Part of the serialized ``MatrixIntegrationTests``:
/// one more suite of Synapse starts in parallel starves the test process's thread pool
/// (the harness calls block) and makes timing-sensitive tests flaky.
extension MatrixIntegrationTests {
    @Test func fragmentsAreAnsweredTogetherOnceReplyingToTheLast() async throws {
        // A wait longer than the default 2 s: the test's own sends must not outlast it on a loaded machine
        // (the fourth fragment completes the question, so nothing waits for it to end).
        let fixture = try await Fixture(name: "fragments", config: "flood: {max_messages: 0}\nfragment_wait_seconds: 10\n")
        let room = try await fixture.directChat(with: fixture.alice)
        let fragments = ["so", "my whatsapp", "calls", "they just say calling"]
        var sent: [String] = []
        for fragment in fragments { sent.append(try await fixture.alice.send(fragment, to: room)) }
        let reply = try await fixture.alice.awaitReply(from: fixture.botID, to: sent[3], in: room)
        let oracle = try replTurns([fragments.joined(separator: " ")])
        #expect(oracle.first?.intent == "stuck_on_calling")
        #expect(reply["body"] as? String == oracle.first?.reply)
        // A complete question right after is answered on its own.
        let question = try await fixture.alice.send("what does ringing mean", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: question, in: room)
        let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
        for fragment in sent.prefix(3) { #expect(replies[fragment] == nil) }
        #expect(replies[sent[3]]?.count == 1)
        #expect(replies.count == 2)
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func inAGroupANameInPassingIsNotAnAddressThePrefixAloneGetsTheHelpAndThreadFollowUpsAreAnswered() async throws {
        let fixture = try await Fixture(name: "group-address")
        try await fixture.server.register("carol", password: "carol-pw")
        let carol = try await MatrixTestClient.login(fixture.server, name: "carol", password: "carol-pw")
        let room = try await fixture.alice.createRoom(invite: [fixture.botID, carol.userID], direct: false)
        try await carol.join(room)
        try await waitFor("the bot to join the group") {
            try await fixture.alice.membership(of: fixture.botID, in: room) == "join" ? true : nil
        }
        let passing = try await fixture.alice.send("the ringbot is useful", to: room)
        let prefixAlone = try await carol.send("!ringbot", to: room)
        let help = try await carol.awaitReply(from: fixture.botID, to: prefixAlone, in: room)
        #expect(help["body"] as? String == (try replTurns(["help"])).first?.reply)

        let root = try await fixture.alice.send("a question for the bot", to: room)
        let thread: [String: Any] = ["m.relates_to": ["rel_type": "m.thread", "event_id": root]]
        let asked = try await fixture.alice.send("ringbot: my whatsapp calls say calling instead of ringing", to: room,
                                                 extra: thread)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: asked, in: room)
        let followUp = try await fixture.alice.send("on iphone", to: room, extra: thread)
        let answer = try await fixture.alice.awaitReply(from: fixture.botID, to: followUp, in: room)
        let oracle = try replTurns(["my whatsapp calls say calling instead of ringing", "on iphone"])
        #expect(answer["body"] as? String == oracle.last?.reply)
        let outside = try await fixture.alice.send("on iphone", to: room)
        // A question after it, answered: the bot has read (and ignored) everything before.
        let last = try await carol.send("!ringbot what does ringing mean", to: room)
        _ = try await carol.awaitReply(from: fixture.botID, to: last, in: room)
        let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
        #expect(replies[passing] == nil)
        #expect(replies[root] == nil)
        #expect(replies[outside] == nil)
        #expect(try await fixture.bot.terminate() == 0)
        #expect(try !fixture.unansweredReport().contains("useful"))
    }

    @Test func aBurstOf30DistinctQuestionsWithTheDefaultFloodSettingsIsAnsweredInFullAcrossASIGKILL() async throws {
        let fixture = try await Fixture(name: "burst", config: "sync_timeout_ms: 30000\n")
        let room = try await fixture.directChat(with: fixture.alice)
        let topics = ["why do my calls say calling instead of ringing", "what does ringing mean on whatsapp",
                      "my friend never gets my whatsapp calls", "whatsapp calls do not ring when the screen is off",
                      "how do I stop whatsapp from being put to sleep by the battery saver"]
        var questions: [String] = []
        var killed = false
        for index in 0..<30 {
            questions.append(try await fixture.alice.send("\(topics[index % topics.count]) (number \(index))", to: room))
            if !killed, index >= 12, try await !fixture.alice.replies(from: fixture.botID, in: room).isEmpty {
                try await fixture.bot.kill9()
                killed = true
            }
        }
        if !killed {
            try await waitFor("a first reply") { try await !fixture.alice.replies(from: fixture.botID, in: room).isEmpty ? true : nil }
            try await fixture.bot.kill9()
        }
        try await fixture.bot.start()
        let replies = try await waitFor("30 replies", timeout: .seconds(180)) { () -> [String: [[String: Any]]]? in
            let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
            return questions.allSatisfy { replies[$0] != nil } ? replies : nil
        }
        for question in questions {
            let answers = (replies[question] ?? []).filter { ($0["body"] as? String)?.hasPrefix("You are sending messages") != true }
            #expect(answers.count == 1, "question \(question) has \(answers.count) answers")
        }
        #expect(try await fixture.bot.terminate() == 0)
        #expect(try !fixture.unansweredReport().contains("not_answered_flood"))
    }

    /// Runs `ringbot matrix` to its end (at most `limit`) and returns its status and stderr lines.
    func runToEnd(_ environment: [String: String], limit: Duration = .seconds(120)) async throws -> (status: Int32, lines: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
        process.arguments = ["matrix", "--knowledge", Paths.knowledge]
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await waitFor("ringbot to exit by itself", timeout: limit) { process.isRunning ? nil : true }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if let secret = environment["RINGBOT_MATRIX_PASSWORD"], let leak = firstSecretLine(in: stderr, secrets: [secret]) {
            Issue.record("a secret appears in the stderr: \(leak)")
        }
        return (process.terminationStatus, stderr.split(separator: "\n").map(String.init))
    }

    @Test func aFirstStartAgainstAWrongPortIsOneErrorLineAndExitStatus1() async throws {
        let state = try Paths.temporaryDirectory("wrong-port")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let port = try SynapseServer.harness(["free-port"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let (status, lines) = try await runToEnd([
            "RINGBOT_MATRIX_HOMESERVER": "http://127.0.0.1:\(port)", "RINGBOT_MATRIX_USER": "@ringbot:localhost",
            "RINGBOT_MATRIX_PASSWORD": "pw", "RINGBOT_STATE_DIR": state + "/state",
        ])
        #expect(status == 1)
        let errors = lines.filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(lines)")
        #expect(errors.first?.contains("127.0.0.1:\(port)") == true)
    }

    @Test func aWrongPasswordOrABaseURLWithAPathIsOneLineThatNamesTheRealProblem() async throws {
        let server = try await SynapseServer.make()
        let bot = try await server.register("ringbot", password: "right-password")
        let state = try Paths.temporaryDirectory("misleading")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let wrong = try await runToEnd([
            "RINGBOT_MATRIX_HOMESERVER": server.baseURL, "RINGBOT_MATRIX_USER": bot,
            "RINGBOT_MATRIX_PASSWORD": "wrong-password", "RINGBOT_STATE_DIR": state + "/a",
        ])
        #expect(wrong.status == 1)
        #expect(wrong.lines.filter { $0.contains("refused the login") }.count == 1, "\(wrong.lines)")
        #expect(wrong.lines.last?.hasPrefix("error: the homeserver refused the login") == true)

        let withPath = try await runToEnd([
            "RINGBOT_MATRIX_HOMESERVER": server.baseURL + "/matrix", "RINGBOT_MATRIX_USER": bot,
            "RINGBOT_MATRIX_PASSWORD": "right-password", "RINGBOT_STATE_DIR": state + "/b",
        ])
        #expect(withPath.status == 1)
        #expect(withPath.lines.last?.contains("does not serve the Matrix client API") == true, "\(withPath.lines)")
        #expect(withPath.lines.last?.contains("without a path") == true)
        #expect(!withPath.lines.joined().contains("RINGBOT_MATRIX_PASSWORD"))

        // https:// to Synapse's plain-HTTP port: the handshake stalls; a TLS problem, not a slow network.
        let tls = try await runToEnd([
            "RINGBOT_MATRIX_HOMESERVER": server.baseURL.replacingOccurrences(of: "http://", with: "https://"),
            "RINGBOT_MATRIX_USER": bot, "RINGBOT_MATRIX_PASSWORD": "right-password", "RINGBOT_STATE_DIR": state + "/c",
        ])
        #expect(tls.status == 1)
        #expect(tls.lines.filter { $0.hasPrefix("error:") }.count == 1)
        #expect(tls.lines.last?.contains("TLS handshake") == true, "\(tls.lines)")
        #expect(tls.lines.last?.contains("use http://") == true)
    }

    /// SIGTERM to a running bot `process` whose stderr goes to `log`, once it retries; returns how long it took to exit.
    func stopWhileRetrying(_ process: Process, log: String) async throws -> Duration {
        try await waitFor("the bot to retry (log: \(log))") {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("connection lost, retrying") ? true : nil
        }
        // Long enough for the back-off to reach waits of several seconds.
        try await Task.sleep(for: .seconds(8))
        let started = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        try await waitFor("the bot to exit after SIGTERM", timeout: .seconds(30)) { process.isRunning ? nil : true }
        return started.duration(to: .now)
    }

    @Test func aStopWhileTheServerIsDownIsImmediate() async throws {
        let fixture = try await Fixture(name: "stop-down")
        let room = try await fixture.directChat(with: fixture.alice)
        let first = try await fixture.alice.send("why do my calls say calling", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: first, in: room)
        #expect(try await fixture.bot.terminate() == 0)
        try await fixture.server.stop()

        // A restart while the homeserver is down: the bot has state, so it keeps retrying its login check.
        let log = fixture.directory + "/restart-while-down.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
        process.arguments = ["matrix", "--knowledge", Paths.knowledge]
        process.environment = ["PATH": "/usr/bin:/bin", "RINGBOT_MATRIX_HOMESERVER": fixture.server.baseURL,
                               "RINGBOT_MATRIX_USER": fixture.botID, "RINGBOT_MATRIX_PASSWORD": Fixture.botPassword,
                               "RINGBOT_STATE_DIR": fixture.bot.stateDirectory]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let latency = try await stopWhileRetrying(process, log: log)
        // Idle or backing off, a stop does not wait for anything (the old bot waited up to 15 s).
        #expect(latency < .seconds(3), "the stop took \(latency)")
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("stopped; state saved"))
        #expect(firstSecretLine(in: text, secrets: [Fixture.botPassword]) == nil)
    }

    @Test func theStateFileIsPrivateEvenInAFolderTheOperatorMadeReadable() async throws {
        let server = try await SynapseServer.make()
        let bot = try await server.register("ringbot", password: "pw-123")
        let directory = try Paths.temporaryDirectory("state-mode")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let process = try BotProcess(homeserver: server.baseURL, user: bot, password: "pw-123", stateDirectory: state)
        try await process.start()
        let mode = try FileManager.default.attributesOfItem(atPath: state + "/ringbot.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(process.log.contains("can be read by other users"))
        #expect(try await process.terminate() == 0)
        // The report finds the folder through the settings file as well.
        let config = directory + "/ringbot.yaml"
        try "state_dir: \(state)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let report = try runRingbot(["report", "unanswered", "--config", config], environment: [:])
        #expect(report.status == 0, "\(report.stderr)")
        let missing = try runRingbot(["report", "unanswered", "--config", directory + "/none.yaml"], environment: [:])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("error: cannot read the config file"))
    }
}

import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot zulip` against the fake Zulip server. Each test has its own server.
@Suite(.serialized) struct ZulipIntegrationTests {
    @Test func aDirectQuestionAndItsFollowUpAreAnsweredInTheConversation() async throws {
        let fixture = try await ZulipFixture(name: "direct")
        let server = fixture.server
        let turns = ["my whatsapp calls say calling instead of ringing", "on iphone"]
        let oracle = try replTurns(turns)
        #expect(oracle.map(\.intent) == ["stuck_on_calling", "stuck_on_calling"])
        for (turn, expected) in zip(turns, oracle) {
            let question = try await server.directMessage(from: server.alice, turn)
            let reply = try await fixture.awaitReply(to: question)
            #expect(reply["type"] as? String == "private")
            let recipients = (reply["display_recipient"] as? [[String: Any]])?.compactMap { $0["email"] as? String }
            #expect(Set(recipients ?? []) == [server.alice.email, server.bot.email])
            let content = reply["content"] as? String ?? ""
            #expect(content.hasPrefix("@_**Alice Doe|\(server.alice.user_id)** [said]("))
            #expect(content.contains("```quote\n\(turn)\n```"))
            #expect(plainWords(answerPart(reply)) == plainWords(expected.reply))
        }
        #expect(try await server.botMessages().count == 2)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
        #expect(fixture.bot.log.contains("stopped; state saved"))
    }

    @Test func aZuliprcFileAndTheDefaultSettingsAreEnough() async throws {
        let fixture = try await ZulipFixture(name: "zuliprc", start: false)
        let server = fixture.server
        let rc = fixture.directory + "/zuliprc"
        try """
            [api]
            email=\(server.bot.email)
            key=\(server.bot.api_key)
            site=\(server.baseURL)
            cert_bundle=\(server.caFile)
            """.write(toFile: rc, atomically: true, encoding: .utf8)
        let bot = ZulipBotProcess(server: server, stateDirectory: fixture.directory + "/rc-state", zuliprc: rc)
        try await bot.start()
        let question = try await server.directMessage(from: server.alice, "my whatsapp calls say calling instead of ringing")
        _ = try await server.awaitReply(to: question)
        #expect(try await bot.terminate() == 0)
        try await fixture.expectNoAPIViolations()
    }

    @Test func inAChannelOnlyMentionsAndFollowUpsAreAnsweredInTheSameTopic() async throws {
        let fixture = try await ZulipFixture(name: "stream")
        let server = fixture.server
        let chatter = try await server.streamMessage(from: server.bob, topic: "lunch", "anyone calling for pizza?")
        let silent = try await server.streamMessage(from: server.bob, topic: "calls", "as @_**RingBot** said, calls say calling")
        let question = try await server.streamMessage(from: server.alice, topic: "Calls",
                                                      "@**RingBot** my whatsapp calls say calling instead of ringing")
        let reply = try await fixture.awaitReply(to: question)
        #expect(reply["type"] as? String == "stream" && reply["display_recipient"] as? String == "support")
        #expect(reply["subject"] as? String == "Calls")
        #expect((reply["content"] as? String)?.contains("```quote\nmy whatsapp calls say calling instead of ringing\n```") == true)

        let followUp = try await server.streamMessage(from: server.alice, topic: "calls", "on iphone")
        let second = try await fixture.awaitReply(to: followUp)
        #expect((second["subject"] as? String)?.lowercased() == "calls")
        let oracle = try replTurns(["my whatsapp calls say calling instead of ringing", "on iphone"])
        #expect(plainWords(answerPart(second)) == plainWords(oracle[1].reply))

        // A later mention is answered after the earlier messages, so those were seen and passed over.
        let marker = try await server.streamMessage(from: server.bob, topic: "other", "@**RingBot** what does ringing mean")
        _ = try await fixture.awaitReply(to: marker)
        #expect(try await server.replies(to: chatter).isEmpty)
        #expect(try await server.replies(to: silent).isEmpty)
        #expect(try await server.botMessages().count == 3)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aSigkillDuringABurstOf30LeavesEveryQuestionAnsweredExactlyOnce() async throws {
        let fixture = try await ZulipFixture(name: "burst")
        let server = fixture.server
        let phrasings = ["my whatsapp calls say calling instead of ringing", "why does whatsapp say calling",
                         "calls only ring once then unavailable", "what does ringing mean on whatsapp",
                         "whatsapp call stuck on calling", "does calling mean i am blocked"]
        var questions: [Int] = []
        for index in 0..<30 {
            let sender = index % 2 == 0 ? server.alice : server.bob
            questions.append(try await server.directMessage(from: sender, phrasings[index % phrasings.count] + " (\(index))"))
        }
        try await waitFor("a few replies before the kill") { try await server.botMessages().count >= 4 ? true : nil }
        try await fixture.bot.kill9()
        let beforeRestart = try await server.botMessages().count
        #expect(beforeRestart < 30, "the burst was answered before the kill; the test proves nothing")
        try await fixture.bot.start()
        try await waitFor("replies to all 30 questions", timeout: .seconds(90)) {
            try await server.botMessages().count >= 30 ? true : nil
        }
        // A reply more (a duplicate) would come right after; give it the time of a few polls.
        let extraWait = try await server.directMessage(from: server.alice, "what does ringing mean on whatsapp")
        _ = try await fixture.awaitReply(to: extraWait)
        for question in questions {
            #expect(try await server.replies(to: question).count == 1, "message \(question)")
        }
        #expect(try await server.botMessages().count == 31)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aServerRestartAndANetworkOutageLoseNothing() async throws {
        let fixture = try await ZulipFixture(name: "outage")
        let server = fixture.server
        let first = try await server.directMessage(from: server.alice, "my whatsapp calls say calling instead of ringing")
        _ = try await fixture.awaitReply(to: first)

        // A restart keeps the event queues (Zulip dumps and reloads them): the bot goes on with its queue.
        try await server.stop()
        try await Task.sleep(for: .seconds(2))
        try await server.start()
        let afterRestart = try await server.directMessage(from: server.alice, "on iphone")
        _ = try await fixture.awaitReply(to: afterRestart, timeout: .seconds(90))

        // An outage: the API refuses connections while a user writes; the bot catches up afterwards.
        try await server.control("/control/cut", [:])
        let duringOutage = try await server.directMessage(from: server.bob, "why does whatsapp say calling")
        try await Task.sleep(for: .seconds(3))
        #expect(try await server.replies(to: duringOutage).isEmpty)
        try await server.control("/control/restore", [:])
        _ = try await fixture.awaitReply(to: duringOutage, timeout: .seconds(90))
        #expect(fixture.bot.isRunning)
        #expect(try await server.botMessages().count == 3)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aQueueCollectedWhileTheBotWasDownIsReplacedAndTheGapFilled() async throws {
        let fixture = try await ZulipFixture(name: "expiry")
        let server = fixture.server
        let before = try await server.directMessage(from: server.alice, "my whatsapp calls say calling instead of ringing")
        _ = try await fixture.awaitReply(to: before)
        #expect(try await fixture.bot.terminate() == 0)

        let whileDown = try await server.directMessage(from: server.bob, "why does whatsapp say calling")
        let mention = try await server.streamMessage(from: server.alice, topic: "help", "@**RingBot** what does ringing mean")
        // Two days on the server's clock: the bot's queue (idle timeout one day) is collected.
        try await server.control("/control/advance", ["seconds": 2 * 86_400])
        #expect(try await server.queues().isEmpty)

        try await fixture.bot.start()
        _ = try await fixture.awaitReply(to: whileDown)
        _ = try await fixture.awaitReply(to: mention)
        #expect(fixture.bot.log.contains("the Zulip event queue is gone"))
        let after = try await server.directMessage(from: server.alice, "on iphone")
        _ = try await fixture.awaitReply(to: after)
        #expect(try await server.replies(to: before).count == 1)
        #expect(try await server.botMessages().count == 4)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func rateLimitsAndServerErrorsAreWaitedOut() async throws {
        let fixture = try await ZulipFixture(name: "ratelimit")
        let server = fixture.server
        try await server.control("/control/fail", ["method": "POST", "path": "/messages", "status": 429, "count": 2, "retry_after": 1.0])
        try await server.control("/control/fail", ["method": "GET", "path": "/events", "status": 502, "count": 2])
        let question = try await server.directMessage(from: server.alice, "my whatsapp calls say calling instead of ringing")
        _ = try await fixture.awaitReply(to: question, timeout: .seconds(60))
        let sends = try await server.requests().filter {
            $0["method"] as? String == "POST" && $0["path"] as? String == "/api/v1/messages"
        }.compactMap { $0["status"] as? Int }
        #expect(sends == [429, 429, 200])
        #expect(try await server.botMessages().count == 1)
        try await fixture.expectNoAPIViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aRevokedKeyStopsTheBotWithOneClearLine() async throws {
        let fixture = try await ZulipFixture(name: "revoked")
        let server = fixture.server
        let newKey = try await server.control("/control/rotate_key", ["user": server.bot.email])["api_key"] as! String
        fixture.bot.useAPIKey(newKey)
        #expect(try await fixture.bot.awaitExit() == 1)
        let errors = fixture.bot.log.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("RINGBOT_ZULIP_API_KEY") == true)
        #expect(errors.first?.contains("INVALID_API_KEY") == true)
    }

    @Test func anUntrustedCertificateIsOneClearError() async throws {
        let fixture = try await ZulipFixture(name: "tls", start: false, trustFake: false)
        try await fixture.bot.start(waitUntilListening: false)
        #expect(try await fixture.bot.awaitExit() == 1)
        let errors = fixture.bot.log.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("RINGBOT_ZULIP_CA_FILE") == true)
        #expect(try await fixture.server.requests().isEmpty)
    }

    @Test func theApiKeyIsRefusedInTheSettingsFileAndNeverPrinted() async throws {
        let directory = try ZulipPaths.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/ringbot.yaml"
        try "site: https://127.0.0.1:9\nemail: bot@zulip.example\napi_key: s3cr3tK3y\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try runRingbot(["zulip", "--config", config, "--knowledge", ZulipPaths.knowledge], environment: [:])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(config): `api_key` must not be in the config file"))
        #expect(result.stderr.contains("RINGBOT_ZULIP_API_KEY"))
        #expect(!result.stderr.contains("s3cr3tK3y") && !result.stdout.contains("s3cr3tK3y"))
        let missing = try runRingbot(["zulip", "--knowledge", ZulipPaths.knowledge], environment: [
            "RINGBOT_ZULIP_SITE": "https://chat.example", "RINGBOT_ZULIP_EMAIL": "bot@chat.example",
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("RINGBOT_ZULIP_API_KEY"))
    }

    @Test func zulipsOwnClientAgreesWithTheFakeServer() throws {
        let python = ZulipPaths.clientVenv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ZulipTestError("no virtualenv with Zulip's client at \(ZulipPaths.clientVenv); run `make zulip-client` (Tests/Support/install-zulip-client.sh) or set RINGBOT_ZULIP_VENV")
        }
        let outputPath = try ZulipPaths.temporaryDirectory("client-check") + "/output.txt"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [ZulipPaths.clientCheck]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: (outputPath as NSString).deletingLastPathComponent)
        #expect(process.terminationStatus == 0, "check_with_client.py failed:\n\(text)")
        #expect(text.contains("ok: the official client's requests all match the published API"))
    }
}

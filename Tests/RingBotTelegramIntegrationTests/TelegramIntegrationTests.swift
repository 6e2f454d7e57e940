import Foundation
import RingBotTestSupport
import Testing

/// One fake Bot API, one `ringbot telegram` process for it, and a folder for both.
final class TelegramFixture {
    let server: FakeBotAPIServer
    let bot: TelegramBotProcess
    let directory: String
    let alice = TelegramPerson(id: 5001, name: "Alice")
    let bob = TelegramPerson(id: 5002, name: "Bob")

    /// - Parameter config: the bot's YAML settings (flood control off unless given).
    init(name: String, config: String = "flood: {max_messages: 0}\n", start: Bool = true) async throws {
        server = try FakeBotAPIServer()
        directory = try Paths.temporaryDirectory(name)
        let configPath = directory + "/ringbot.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        bot = try TelegramBotProcess(server: server, stateDirectory: directory + "/state", config: configPath)
        if start { try await bot.start() }
    }

    deinit {
        // Set RINGBOT_IT_KEEP=1 to keep the bot's state and log for a post-mortem.
        if ProcessInfo.processInfo.environment["RINGBOT_IT_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Waits for the bot's first reply to message `id` in `chat`; fails at once, with the log, if the bot exited.
    func awaitReply(to id: Int, in chat: Int, timeout: Duration = .seconds(30)) async throws -> SentMessage {
        try await waitFor("a reply to message \(id) in chat \(chat)", timeout: timeout) {
            if !bot.isRunning { throw IntegrationError("the bot exited: \(bot.log.split(separator: "\n").suffix(5).joined(separator: "\n"))") }
            return try await server.replies(to: id, in: chat).first
        }
    }

    /// Every request the bot made followed the published Bot API.
    func expectNoViolations(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let violations = try await server.violations()
        #expect(violations.isEmpty, "requests outside the published Bot API: \(violations)", sourceLocation: sourceLocation)
    }
}

/// The bot's text as the local chat would show it (Telegram's bullets are "•", the plain renderer's "-").
func asPlainText(_ telegram: String) -> String {
    telegram.replacingOccurrences(of: "\n• ", with: "\n- ")
}

/// The built `ringbot telegram` against the fake Bot API (HTTPS with its own CA). Each test has its own server.
@Suite(.serialized) struct TelegramIntegrationTests {
    @Test func aPrivateQuestionAndAFollowUpAreAnsweredAsRepliesLikeTheLocalChat() async throws {
        let fixture = try await TelegramFixture(name: "private")
        let turns = ["my whatsapp calls say calling instead of ringing", "on iphone"]
        let expected = try replTurns(turns)
        #expect(expected.map(\.intent) == ["stuck_on_calling", "stuck_on_calling"])
        let chat = fixture.alice.privateChat
        for (turn, oracle) in zip(turns, expected) {
            let question = try await fixture.server.say(turn, from: fixture.alice, in: chat)
            let reply = try await fixture.awaitReply(to: question, in: fixture.alice.id)
            #expect(asPlainText(reply.text) == oracle.reply)
            #expect(reply.threadID == nil)
        }
        // Telegram's HTML: headings in <b>, everything else escaped text.
        let html = try await fixture.server.sent().compactMap(\.html).joined()
        #expect(html.contains("<b>"))
        #expect(!html.contains("<p>") && !html.contains("<li>"))

        // getUpdates long-polls for message updates only.
        let polls = try await fixture.server.calls().filter { $0.method == "getUpdates" }
        #expect(polls.contains { ($0.params["timeout"] as? Int ?? 0) >= 20 })
        #expect(polls.allSatisfy { $0.params["allowed_updates"] as? [String] == ["message"] })

        // A message that is not text (e.g. markup the user typed) is escaped, never markup.
        let tricky = try await fixture.server.say("<b>calls</b> & <i>ringing</i>?", from: fixture.bob, in: fixture.bob.privateChat)
        _ = try await fixture.awaitReply(to: tricky, in: fixture.bob.id)
        try await fixture.expectNoViolations()
        #expect(try await fixture.bot.terminate() == 0)
        #expect(fixture.bot.log.contains("stopped; state saved"))
    }

    @Test func inGroupsOnlyCommandsMentionsAndRepliesAreAnsweredTopicsAndMigrationsAreFollowed() async throws {
        let fixture = try await TelegramFixture(name: "group")
        // Privacy mode off (the bot is a group admin): it sees everything and must choose itself.
        try await fixture.server.control("/privacy", ["on": false])
        let group: [String: Any] = ["id": -4001, "type": "group", "title": "Support"]
        let server = fixture.server
        let chatter = try await server.say("my calls say calling instead of ringing", from: fixture.alice, in: group)
        let other = try await server.say("/ask@other_helper_bot why calling", from: fixture.alice, in: group)
        let command = try await server.say("/ask@ringbot_test_bot my calls say calling instead of ringing", from: fixture.alice, in: group)
        let commandReply = try await fixture.awaitReply(to: command, in: -4001)
        let mention = try await server.say("@ringbot_test_bot why does whatsapp say calling", from: fixture.bob, in: group)
        _ = try await fixture.awaitReply(to: mention, in: -4001)
        let followUp = try await server.say("i have an iphone", from: fixture.alice, in: group, replyTo: commandReply.messageID)
        let followUpReply = try await fixture.awaitReply(to: followUp, in: -4001)
        #expect(followUpReply.text.lowercased().contains("iphone"))
        let help = try await server.say("/help", from: fixture.bob, in: group)
        _ = try await fixture.awaitReply(to: help, in: -4001)
        #expect(try await server.replies(to: chatter, in: -4001).isEmpty)
        #expect(try await server.replies(to: other, in: -4001).isEmpty)

        // A forum topic: the reply stays in the topic.
        let forum: [String: Any] = ["id": -1004002, "type": "supergroup", "title": "Help desk", "is_forum": true]
        let topic = try await server.control("/topic", ["chat": forum, "from": fixture.alice.json, "name": "Calls"]) as? [String: Any]
        let thread = try #require(topic?["thread_id"] as? Int)
        let inTopic = try await server.say("@ringbot_test_bot calls stuck on calling", from: fixture.alice, in: forum, thread: thread)
        let topicReply = try await fixture.awaitReply(to: inTopic, in: -1004002)
        #expect(topicReply.threadID == thread)

        // The group becomes a supergroup: the bot follows it, and Alice's conversation goes on there.
        let migrated = try await server.control("/migrate", ["chat_id": -4001]) as? [String: Any]
        let newID = try #require(migrated?["new_chat_id"] as? Int)
        let supergroup: [String: Any] = ["id": newID, "type": "supergroup", "title": "Support"]
        let after = try await server.say("@ringbot_test_bot what about android", from: fixture.alice, in: supergroup)
        let afterReply = try await fixture.awaitReply(to: after, in: newID)
        #expect(afterReply.text.lowercased().contains("android"))
        try await waitFor("the migration notice") { fixture.bot.log.contains("a group became a supergroup") ? true : nil }
        try await fixture.expectNoViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aSigkillDuringABurstOf30QuestionsLosesNoneAndDuplicatesAtMostTheLoggedOneInFlight() async throws {
        let fixture = try await TelegramFixture(name: "burst")
        let server = fixture.server
        let people = (0..<30).map { TelegramPerson(id: 7000 + $0, name: "User\($0)") }
        var questions: [(person: TelegramPerson, id: Int)] = []
        for person in people {
            questions.append((person, try await server.say("why do my whatsapp calls say calling and not ringing", from: person,
                                                            in: person.privateChat)))
        }
        try await waitFor("a few replies before the kill") { try await server.sent().count >= 3 ? true : nil }
        try await fixture.bot.kill9()
        #expect(try await server.sent().count < 30, "every question was answered before the kill: the test would prove nothing")
        try await fixture.bot.start()
        for question in questions {
            _ = try await fixture.awaitReply(to: question.id, in: question.person.id, timeout: .seconds(90))
        }
        var duplicated = 0
        for question in questions {
            let count = try await server.replies(to: question.id, in: question.person.id).count
            #expect(count >= 1)
            if count > 1 { duplicated += 1 }
        }
        #expect(duplicated <= 1, "\(duplicated) questions were answered more than once")
        if duplicated == 1 {
            #expect(fixture.bot.log.contains("the user may see it twice"))
        }
        try await fixture.expectNoViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aFragmentWaitingForTheRestOfTheQuestionSurvivesASigkill() async throws {
        let fixture = try await TelegramFixture(name: "fragment", config: "flood: {max_messages: 0}\nfragment_wait_seconds: 3\n")
        let server = fixture.server
        let chat = fixture.alice.privateChat
        // "my whatsapp" is not a question on its own: the bot shows "typing" and waits for more,
        // polling on past it. A SIGKILL now must not lose it, though the server has forgotten it.
        let fragment = try await server.say("my whatsapp", from: fixture.alice, in: chat)
        try await waitFor("the typing notice") {
            try await server.calls().contains { $0.method == "sendChatAction" && $0.params["action"] as? String == "typing" } ? true : nil
        }
        try await waitFor("a poll past the fragment (the server forgets it)") {
            (try await server.control("/state") as? [String: Any])?["pending_updates"] as? Int == 0 ? true : nil
        }
        try await fixture.bot.kill9()
        #expect(try await server.replies(to: fragment, in: fixture.alice.id).isEmpty, "answered before the kill: the test would prove nothing")
        try await fixture.bot.start()
        _ = try await fixture.awaitReply(to: fragment, in: fixture.alice.id)

        // Fragments joined: the reply answers the last and the whole question.
        let first = try await server.say("my calls", from: fixture.bob, in: fixture.bob.privateChat)
        let rest = try await server.say("say calling instead of ringing", from: fixture.bob, in: fixture.bob.privateChat)
        let joined = try await fixture.awaitReply(to: rest, in: fixture.bob.id)
        #expect(joined.text.contains("Calling"))
        #expect(try await server.replies(to: first, in: fixture.bob.id).isEmpty)
        try await fixture.expectNoViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func serverRestartsOutagesAndRateLimitsDelayAnswersButLoseNone() async throws {
        let fixture = try await TelegramFixture(name: "faults")
        let server = fixture.server
        let chat = fixture.alice.privateChat

        // The network is cut: questions wait on the server, answers come once it is back.
        try await server.control("/outage", ["on": true])
        let duringOutage = try await server.say("my calls say calling instead of ringing", from: fixture.alice, in: chat)
        try await waitFor("the bot to notice the outage") { fixture.bot.log.contains("connection lost, retrying") ? true : nil }
        try await server.control("/outage", ["on": false])
        _ = try await fixture.awaitReply(to: duringOutage, in: fixture.alice.id, timeout: .seconds(90))

        // The server restarts (same state): the bot polls on and answers.
        try server.restart()
        let afterRestart = try await server.say("on iphone", from: fixture.alice, in: chat)
        _ = try await fixture.awaitReply(to: afterRestart, in: fixture.alice.id, timeout: .seconds(90))

        // 429 with retry_after, then a 502 from the proxy in front: the reply still arrives, once.
        try await server.control("/fault", ["method": "sendMessage", "status": 429, "retry_after": 2])
        try await server.control("/fault", ["method": "sendMessage", "status": 502])
        let limited = try await server.say("why does whatsapp say calling", from: fixture.bob, in: fixture.bob.privateChat)
        _ = try await fixture.awaitReply(to: limited, in: fixture.bob.id, timeout: .seconds(90))
        #expect(try await server.replies(to: limited, in: fixture.bob.id).count == 1)
        let sends = try await server.calls().filter { $0.method == "sendMessage" && $0.params["chat_id"] as? Int == fixture.bob.id }
        #expect(sends.count == 3)
        try await fixture.expectNoViolations()
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aRevokedTokenStopsTheBotWithOneClearLine() async throws {
        let fixture = try await TelegramFixture(name: "revoked")
        try await fixture.server.control("/revoke", [:])
        _ = try await fixture.server.say("hello", from: fixture.alice, in: fixture.alice.privateChat)
        #expect(try await fixture.bot.awaitExit() == 1)
        let errorLines = fixture.bot.log.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errorLines.count == 1)
        #expect(errorLines.first?.contains("401 Unauthorized") == true)
        #expect(errorLines.first?.contains("RINGBOT_TELEGRAM_TOKEN") == true)
    }

    @Test func anotherPollerOrAWebhookStopsTheBotWithOneClearLine() async throws {
        let fixture = try await TelegramFixture(name: "conflict")
        try await waitFor("a waiting long poll") {
            try await fixture.server.calls().filter { $0.method == "getUpdates" }.count >= 2 ? true : nil
        }
        try await fixture.server.control("/rival", [:])
        #expect(try await fixture.bot.awaitExit() == 1)
        let line = fixture.bot.log.split(separator: "\n").first { $0.hasPrefix("error:") } ?? ""
        #expect(line.contains("409"))
        #expect(line.contains("stop the other program polling with this bot token"))

        try await fixture.server.control("/webhook", ["url": "https://example.org/hook"])
        try fixture.bot.launch()
        #expect(try await fixture.bot.awaitExit() == 1)
        #expect(fixture.bot.log.contains("webhook is active"))
    }
}

/// Start-up errors of `ringbot telegram`: one line, the right exit status, no secret.
@Suite struct TelegramCommandLineTests {
    func runTelegram(_ environment: [String: String], arguments: [String] = []) throws -> (status: Int32, output: String) {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("RINGBOT_TELEGRAM") { env[key] = nil }
        env.merge(environment) { $1 }
        env["RINGBOT_STATE_DIR"] = try Paths.temporaryDirectory("cli-state")
        return try run(try Paths.ringbot(), ["telegram", "--knowledge", Paths.knowledge] + arguments, environment: env)
    }

    @Test func settingsProblemsAreOneLineAndExit2() throws {
        let missing = try runTelegram([:])
        #expect(missing.status == 2)
        #expect(missing.output.contains("RINGBOT_TELEGRAM_TOKEN"))

        let malformed = try runTelegram(["RINGBOT_TELEGRAM_TOKEN": "not-a-token secret"])
        #expect(malformed.status == 2)
        #expect(!malformed.output.contains("not-a-token secret"))

        let token = "123:AAE-secret_x"
        let plainHTTP = try runTelegram(["RINGBOT_TELEGRAM_TOKEN": token, "RINGBOT_TELEGRAM_API": "http://api.example.org"])
        #expect(plainHTTP.status == 2)
        #expect(plainHTTP.output.contains("refusing http://"))

        let directory = try Paths.temporaryDirectory("cli")
        let config = directory + "/ringbot.yaml"
        try "token: \"123:AAE-in_the_file\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let inFile = try runTelegram(["RINGBOT_TELEGRAM_TOKEN": token], arguments: ["--config", config])
        #expect(inFile.status == 2)
        #expect(inFile.output.contains("must not be in the config file"))
        #expect(!inFile.output.contains("AAE-in_the_file"))
        for result in [missing, malformed, plainHTTP, inFile] {
            #expect(result.output.split(separator: "\n").count == 1, "\(result.output)")
            #expect(!result.output.contains("AAE-secret_x"))
        }
    }

    @Test func anUnreachableServerAtTheFirstStartGivesUpWithOneLine() throws {
        let result = try runTelegram(["RINGBOT_TELEGRAM_TOKEN": "123:AAE-secret_x", "RINGBOT_TELEGRAM_API": "https://127.0.0.1:9"])
        #expect(result.status == 1)
        let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1)
        #expect(!result.output.contains("AAE-secret_x"))
    }
}

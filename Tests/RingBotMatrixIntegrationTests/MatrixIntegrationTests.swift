import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot matrix` against a real Synapse. Each test has its own homeserver.
@Suite(.serialized) struct MatrixIntegrationTests {
    @Test func aDirectQuestionGetsTheAnswerAsANoticeReplyAndAFollowUpStaysOnTopic() async throws {
        let fixture = try await Fixture(name: "direct")
        let room = try await fixture.directChat(with: fixture.alice)
        let turns = ["my whatsapp calls say calling instead of ringing", "on iphone"]
        let expected = try replTurns(turns)
        #expect(expected.map(\.intent) == ["stuck_on_calling", "stuck_on_calling"])
        #expect(expected.last?.platform == "ios")

        for (turn, oracle) in zip(turns, expected) {
            let question = try await fixture.alice.send(turn, to: room)
            let reply = try await fixture.alice.awaitReply(from: fixture.botID, to: question, in: room)
            #expect(reply["msgtype"] as? String == "m.notice")
            #expect(reply["body"] as? String == oracle.reply)
            #expect(reply["format"] as? String == "org.matrix.custom.html")
            #expect((reply["formatted_body"] as? String)?.isEmpty == false)
            #expect((reply["m.mentions"] as? [String: Any])?["user_ids"] as? [String] == [fixture.alice.userID])
        }
        // A second bot on the same state folder refuses to start, naming the running one.
        let second = try runRingbot(["matrix", "--knowledge", Paths.knowledge], environment: [
            "RINGBOT_MATRIX_HOMESERVER": fixture.server.baseURL, "RINGBOT_MATRIX_USER": fixture.botID,
            "RINGBOT_MATRIX_PASSWORD": Fixture.botPassword, "RINGBOT_STATE_DIR": fixture.bot.stateDirectory,
        ])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another ringbot (pid \(fixture.bot.pid))"))

        // SIGHUP reloads the knowledge without stopping.
        kill(fixture.bot.pid, SIGHUP)
        try await waitFor("the knowledge reload") { fixture.bot.log.contains("knowledge reloaded") ? true : nil }
        #expect(fixture.bot.isRunning)

        let offTopic = try await fixture.alice.send("what is the best pizza in naples\u{1B}[31m", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: offTopic, in: room)
        #expect(try await fixture.bot.terminate() == 0)
        let report = try fixture.unansweredReport()
        #expect(report.contains("\twhat is the best pizza in naples\\u{1b}[31m\n"))
        #expect(!report.contains("\u{1B}"))
        #expect(!report.contains("alice"))
        let log = fixture.bot.log
        #expect(!log.contains(Fixture.botPassword))
        #expect(!log.contains(try fixture.storedAccessToken()))
    }

    @Test func inAGroupOnlyAddressedMessagesAreAnsweredEncryptedRoomsAreToldOnceAndForeignInvitesAreDeclined() async throws {
        let fixture = try await Fixture(name: "group", config: """
            flood: {max_messages: 0}
            invites:
              allow_users: ["@alice:localhost", "@carol:localhost"]
            """)
        try await fixture.server.register("carol", password: "carol-pw")
        try await fixture.server.register("mallory", password: "mallory-pw")
        let carol = try await MatrixTestClient.login(fixture.server, name: "carol", password: "carol-pw")
        let mallory = try await MatrixTestClient.login(fixture.server, name: "mallory", password: "mallory-pw")

        let room = try await fixture.alice.createRoom(invite: [fixture.botID, carol.userID], direct: false)
        try await carol.join(room)
        try await waitFor("the bot to join the group") {
            try await fixture.alice.membership(of: fixture.botID, in: room) == "join" ? true : nil
        }
        let unaddressed = try await fixture.alice.send("my calls say calling instead of ringing", to: room)
        let addressed = try await fixture.alice.send("ringbot: my calls say calling instead of ringing", to: room)
        let prefixed = try await carol.send("!ringbot why does it say calling", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: addressed, in: room)
        _ = try await carol.awaitReply(from: fixture.botID, to: prefixed, in: room)
        let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
        #expect(replies[unaddressed] == nil)
        #expect(replies[addressed]?.count == 1)

        let encrypted = try await fixture.alice.call("POST", "/_matrix/client/v3/createRoom", [
            "invite": [fixture.botID], "is_direct": true, "preset": "private_chat",
            "initial_state": [["type": "m.room.encryption", "state_key": "",
                               "content": ["algorithm": "m.megolm.v1.aes-sha2"]]],
        ])["room_id"] as? String ?? ""
        let notice = try await waitFor("the bot to say it cannot read encrypted rooms") { () -> [String: Any]? in
            try await fixture.alice.messages(in: encrypted).first {
                $0["sender"] as? String == fixture.botID && $0["type"] as? String == "m.room.message"
            }
        }
        let noticeContent = notice["content"] as? [String: Any]
        #expect(noticeContent?["msgtype"] as? String == "m.notice")
        #expect((noticeContent?["body"] as? String)?.contains("encrypted") == true)

        let foreign = try await mallory.createRoom(invite: [fixture.botID], direct: true)
        try await waitFor("the bot to decline mallory's invite") {
            try await mallory.membership(of: fixture.botID, in: foreign) == "leave" ? true : nil
        }
        #expect(try await fixture.bot.terminate() == 0)
        #expect(!fixture.bot.log.contains(Fixture.botPassword))
        #expect(!fixture.bot.log.contains(try fixture.storedAccessToken()))
    }

    @Test func aBotKilledDuringABurstAnswersEveryQuestionExactlyOnceAfterARestart() async throws {
        let fixture = try await Fixture(name: "kill")
        let room = try await fixture.directChat(with: fixture.alice)
        var questions: [String] = []
        var killed = false
        for index in 0..<30 {
            questions.append(try await fixture.alice.send("question \(index): why do my calls say calling", to: room))
            if !killed, index >= 5, try await !fixture.alice.replies(from: fixture.botID, in: room).isEmpty {
                try await fixture.bot.kill9()
                killed = true
            }
        }
        if !killed {
            try await waitFor("a first reply") { try await !fixture.alice.replies(from: fixture.botID, in: room).isEmpty ? true : nil }
            try await fixture.bot.kill9()
        }
        let beforeRestart = try await fixture.alice.replies(from: fixture.botID, in: room).count
        try await fixture.bot.start()
        let replies = try await waitFor("30 replies", timeout: .seconds(90)) { () -> [String: [[String: Any]]]? in
            let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
            return questions.allSatisfy { replies[$0] != nil } ? replies : nil
        }
        #expect(beforeRestart < 30, "the bot should have been killed before it answered everything")
        for question in questions {
            #expect(replies[question]?.count == 1, "question \(question) has \(replies[question]?.count ?? 0) replies")
        }
        #expect(replies.count == 30)
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func theBotRecoversByItselfWhenSynapseRestarts() async throws {
        let fixture = try await Fixture(name: "restart")
        let room = try await fixture.directChat(with: fixture.alice)
        let first = try await fixture.alice.send("why do my calls say calling", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: first, in: room)

        try await fixture.server.stop()
        try await waitFor("the bot to notice") { fixture.bot.log.contains("connection lost, retrying") ? true : nil }
        try await fixture.server.start()
        let second = try await fixture.alice.send("thanks, and what does ringing mean", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: second, in: room, timeout: .seconds(90))
        #expect(fixture.bot.log.contains("connection restored"))
        #expect(fixture.bot.log.components(separatedBy: "connection lost, retrying").count == 2)
        #expect(fixture.bot.isRunning)
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aRateLimitedBotStillDeliversEveryReply() async throws {
        let fixture = try await Fixture(name: "ratelimit", lowRateLimit: true)
        // Alice may send fast (an admin lifts her limit); the bot, not an admin, stays limited.
        try await fixture.server.register("admin", password: "admin-pw", admin: true)
        let admin = try await MatrixTestClient.login(fixture.server, name: "admin", password: "admin-pw")
        try await admin.call("POST", "/_synapse/admin/v1/users/\(MatrixTestClient.encode(fixture.alice.userID))/override_ratelimit",
                             ["messages_per_second": 0, "burst_count": 0])
        let room = try await fixture.directChat(with: fixture.alice)
        var questions: [String] = []
        for index in 0..<6 {
            questions.append(try await fixture.alice.send("question \(index): my calls say calling", to: room))
        }
        let replies = try await waitFor("6 replies", timeout: .seconds(90)) { () -> [String: [[String: Any]]]? in
            let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
            return questions.allSatisfy { replies[$0] != nil } ? replies : nil
        }
        for question in questions { #expect(replies[question]?.count == 1) }
        #expect(fixture.bot.log.contains("rate limited by the server"))
        #expect(try await fixture.bot.terminate() == 0)
    }

    @Test func aBotWhoseTokenIsRevokedLogsInAgainAndKeepsAnswering() async throws {
        let fixture = try await Fixture(name: "relogin")
        let room = try await fixture.directChat(with: fixture.alice)
        let first = try await fixture.alice.send("why do my calls say calling", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: first, in: room)

        let oldToken = try fixture.storedAccessToken()
        let asBot = MatrixTestClient(baseURL: fixture.server.baseURL, userID: fixture.botID)
        asBot.useAccessToken(oldToken)
        try await asBot.call("POST", "/_matrix/client/v3/logout", [:])

        let second = try await fixture.alice.send("and what does ringing mean", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: second, in: room, timeout: .seconds(60))
        #expect(fixture.bot.log.contains("the access token was rejected; logging in again"))
        let newToken = try fixture.storedAccessToken()
        #expect(newToken != oldToken)
        #expect(try await fixture.bot.terminate() == 0)
        for secret in [Fixture.botPassword, oldToken, newToken] { #expect(!fixture.bot.log.contains(secret)) }
    }
}

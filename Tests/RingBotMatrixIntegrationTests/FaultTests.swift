import Foundation
import RingBotTestSupport
import Testing

/// The built `ringbot matrix` through a fault-injecting proxy (Tests/Support/synapse/fault-proxy.py),
/// a bad knowledge reload, and state folders it cannot write.
@Suite(.serialized) struct MatrixFaultTests {
    /// One fault phase: the mode, how many faulty answers the bot must have been given
    /// before the proxy heals, and whether only replies (PUT) are hit.
    struct Phase: CustomStringConvertible {
        var mode: FaultProxy.Mode
        var faults: Int
        var method: String? = nil
        /// Count-limited (the proxy heals by itself after `faults`) or until switched back.
        var burst = false
        var description: String { "\(mode.rawValue)\(method.map { " on \($0)" } ?? "")" }
    }

    @Test func everyQuestionAskedDuringAFaultGetsExactlyOneReplyOnceTheServerIsHealthyAgain() async throws {
        // A 1 s long-poll, so the faults reach the sync quickly.
        let fixture = try await Fixture(name: "faults", config: "flood: {max_messages: 0}\nsync_timeout_ms: 1000\n",
                                        throughFaultProxy: true)
        let proxy = try #require(fixture.proxy)
        let room = try await fixture.directChat(with: fixture.alice)
        let phases = [
            Phase(mode: .drop, faults: 3),                                  // cut answers to everything
            Phase(mode: .drop, faults: 2, method: "PUT", burst: true),      // the reply arrives, its answer is cut: re-sent, de-duplicated
            Phase(mode: .garbage, faults: 3),                               // 200 with HTML to everything
            Phase(mode: .garbage, faults: 2, method: "PUT", burst: true),   // ... to the reply only (it was not delivered)
            Phase(mode: .badjson, faults: 3),                               // 200 with JSON that is no Matrix answer
            Phase(mode: .badjson, faults: 2, method: "PUT", burst: true),
            Phase(mode: .serverErrors, faults: 3, burst: true),             // 500, 502, 503
            Phase(mode: .rateLimited, faults: 3, burst: true),              // 429 M_LIMIT_EXCEEDED, retry_after_ms 500
            Phase(mode: .stall, faults: 1),                                 // no answer until the bot gives up
        ]
        var questions: [String] = []
        for (index, phase) in phases.enumerated() {
            let before = try await proxy.stats()
            try await proxy.set(phase.mode, count: phase.burst ? phase.faults : nil, method: phase.method)
            let question = try await fixture.alice.send("question \(index) (\(phase)): why do my calls say calling", to: room)
            questions.append(question)
            // The bot must really have been given the faulty answers (a stalled one: given up on).
            try await waitFor("the bot to get \(phase.faults) × \(phase) (proxy log: \(proxy.logPath))", timeout: .seconds(90)) {
                if !fixture.bot.isRunning {
                    throw IntegrationError("the bot stopped during \(phase): \(fixture.bot.log.suffix(1500))")
                }
                let now = try await proxy.stats()
                let done = phase.mode == .stall ? now.abandoned - before.abandoned
                                                : now.count(phase.mode) - before.count(phase.mode)
                return done >= phase.faults ? true : nil
            }
            try await proxy.set(.pass)
            _ = try await fixture.alice.awaitReply(from: fixture.botID, to: question, in: room, timeout: .seconds(60))
            #expect(fixture.bot.isRunning, "the bot stopped during \(phase): \(fixture.bot.log.suffix(1500))")
        }
        // A last question once healthy: its reply comes after any late duplicate of the others.
        let last = try await fixture.alice.send("and what does ringing mean", to: room)
        _ = try await fixture.alice.awaitReply(from: fixture.botID, to: last, in: room)
        let replies = try await fixture.alice.replies(from: fixture.botID, in: room)
        for (question, phase) in zip(questions, phases) {
            #expect(replies[question]?.count == 1, "\(phase): \(replies[question]?.count ?? 0) replies")
            #expect(replies[question]?.first?["msgtype"] as? String == "m.notice", "\(phase)")
        }
        #expect(replies[last]?.count == 1)
        #expect(fixture.bot.log.contains("connection lost, retrying"))
        #expect(fixture.bot.log.contains("connection restored"))
        #expect(fixture.bot.log.contains("rate limited by the server"))
        #expect(fixture.bot.isRunning)
        #expect(try await fixture.bot.terminate() == 0)
        // The proxy saw every request: its own output holds no secret either.
        if let leak = firstSecretLine(in: proxy.log, secrets: [Fixture.botPassword] + fixture.bot.seenTokens.sorted()) {
            Issue.record("a secret appears in the fault proxy's log: \(leak)")
        }
    }

    @Test func aBrokenKnowledgeFileOnSIGHUPIsLoggedLikeKBCheckAndTheOldKnowledgeKeepsAnswering() async throws {
        let knowledge = try Paths.temporaryDirectory("knowledge")
        defer { try? FileManager.default.removeItem(atPath: knowledge) }
        try FileManager.default.removeItem(atPath: knowledge)
        try FileManager.default.copyItem(atPath: Paths.knowledge, toPath: knowledge)
        let thanks = knowledge + "/conversation/thanks.yaml"
        let original = try String(contentsOfFile: thanks, encoding: .utf8)
        let oracle = try replTurns(["thank you"])

        let fixture = try await Fixture(name: "reload", knowledge: knowledge)
        let room = try await fixture.directChat(with: fixture.alice)

        // Break the file: `ringbot kb check` names FILE:LINE; the reload logs the same and keeps the old knowledge.
        try original.replacingOccurrences(of: "title: Thanks", with: "title: [Thanks")
            .write(toFile: thanks, atomically: true, encoding: .utf8)
        let check = try runRingbot(["kb", "check", "--knowledge", knowledge], environment: [:])
        #expect(check.status == 2)
        let problems = check.stderr.split(separator: "\n").filter { $0.hasPrefix(thanks + ":") }.map(String.init)
        #expect(!problems.isEmpty, "kb check: \(check.stderr)")
        kill(fixture.bot.pid, SIGHUP)
        let failure = try await waitFor("the reload to fail") {
            fixture.bot.log.split(separator: "\n").first { $0.contains("knowledge reload failed") }.map(String.init)
        }
        for problem in problems { #expect(failure.contains(problem), "\(failure) should contain \(problem)") }
        let asked = try await fixture.alice.send("thank you", to: room)
        let reply = try await fixture.alice.awaitReply(from: fixture.botID, to: asked, in: room)
        #expect(reply["body"] as? String == oracle.first?.reply)
        #expect(fixture.bot.isRunning)

        // Fixed (with a new answer): the next SIGHUP loads it.
        let newAnswer = "Glad to help, this answer comes from the reloaded knowledge."
        let fixed = original.replacingOccurrences(
            of: "  You're welcome, glad your calls are getting through! If anything else comes up\n  with WhatsApp calls, just ask.",
            with: "  " + newAnswer)
        #expect(fixed != original)
        try fixed.write(toFile: thanks, atomically: true, encoding: .utf8)
        kill(fixture.bot.pid, SIGHUP)
        try await waitFor("the knowledge reload") { fixture.bot.log.contains("knowledge reloaded") ? true : nil }
        // "It rings now" closes with the knowledge's thanks summary (a plain "thanks" no longer claims it works).
        let again = try await fixture.alice.send("thanks, it rings now", to: room)
        let newReply = try await fixture.alice.awaitReply(from: fixture.botID, to: again, in: room)
        #expect((newReply["body"] as? String)?.contains(newAnswer) == true, "\(newReply["body"] ?? "")")
        #expect(try await fixture.bot.terminate() == 0)
    }
}

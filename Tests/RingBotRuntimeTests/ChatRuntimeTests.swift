import Foundation
import Logging
import Testing
import RingBotCore
import RingBotRuntime
import RingBotTestSupport

/// Runs `platform` on a runtime until its script runs out; returns the logs.
@discardableResult
func runScript(_ platform: ScriptedPlatform, store: StateStore, assistant: Assistant = TestKnowledge.tiny(),
               settings: RuntimeSettings = quickSettings(), logs: LogCapture = LogCapture(),
               clock: ManualClock = ManualClock()) async throws -> LogCapture {
    let runtime = ChatRuntime(platform: platform, store: store, assistants: AssistantBox(assistant), settings: settings,
                              logger: logs.logger, now: { clock.now })
    platform.whenIdle { runtime.requestStop() }
    try await runtime.run()
    return logs
}

/// The defaults, minus the waits that would only slow the tests down.
func quickSettings(fragmentWait: Duration = .zero) -> RuntimeSettings {
    var settings = RuntimeSettings(fragmentWait: fragmentWait, backoff: BackoffPolicy(initial: .milliseconds(1), cap: .milliseconds(2)))
    settings.flood.slowInterval = 0
    return settings
}

let t0 = Date(timeIntervalSince1970: 1_700_000_000)

@Suite struct ChatRuntimeTests {
    @Test func answersEachMessageOnceAndSavesTheCursorOnlyAfterTheReplies() async throws {
        let store = try StateStore()
        let script: [ScriptedPlatform.Step] = [.messages([.test("m1", "hello?"), .test("m2", "anyone?")])]
        let platform = ScriptedPlatform(script)
        try await runScript(platform, store: store)
        #expect(platform.sent.map(\.inReplyTo.id) == ["m1", "m2"])
        #expect(platform.sent.map(\.idempotencyKey) == [ChatRuntime<ScriptedPlatform>.idempotencyKey(for: "m1"),
                                                          ChatRuntime<ScriptedPlatform>.idempotencyKey(for: "m2")])
        let account = AccountKey(platform: "test", account: "bot")
        #expect(try store.cursor(for: account)?.cursor == "c1")
        #expect(try store.isHandled("m1", for: account))
        #expect(try store.outbox(for: account).isEmpty)

        // The same messages again (a replay after a crash before the cursor was saved) are not answered twice.
        try store.clearCursor(for: account)
        let again = ScriptedPlatform(script)
        try await runScript(again, store: store)
        #expect(again.polls.contains { $0.cursor == "c0" })
        #expect(again.sent.isEmpty)
    }

    @Test func storedTimesComeFromTheClockAndQuestionsKeepTheServersTime() async throws {
        let store = try StateStore()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let asked = Date(timeIntervalSince1970: 1_799_999_000)
        let platform = ScriptedPlatform([.messages([.test("m1", "what is the weather?", at: asked)])])
        let logs = try await runScript(platform, store: store, clock: clock)
        let account = AccountKey(platform: "test", account: "bot")
        #expect(try store.cursor(for: account)?.savedAt == clock.now)
        #expect(try store.unansweredQuestions().map(\.askedAt) == [asked])
        // Sent long before the start: counted as the backlog of a restart.
        #expect(logs.lines(containing: "answered the messages sent while the bot was not running count=1").count == 1)
        #expect(logs.lines(containing: "what is the weather").isEmpty)   // no message text in the log
    }

    @Test func twoPlatformsShareOneStoreWithoutMixingConversations() async throws {
        let store = try StateStore()
        let assistant = try TestKnowledge.real()
        let first = ScriptedPlatform([.messages([.test("m1", "my whatsapp calls say calling instead of ringing")])],
                                     platformName: "alpha")
        try await runScript(first, store: store, assistant: assistant)
        let second = ScriptedPlatform([.messages([.test("m1", "my whatsapp calls say calling instead of ringing")])],
                                      platformName: "beta")
        try await runScript(second, store: store, assistant: assistant)
        #expect(second.sent.count == 1)   // the same message id on another platform is another message
        let alpha = ConversationKey(platform: "alpha", account: "bot", room: "!dm", user: "@alice")
        let beta = ConversationKey(platform: "beta", account: "bot", room: "!dm", user: "@alice")
        #expect(try store.conversationState(for: alpha)?.topic == "stuck_on_calling")
        #expect(try store.conversationState(for: beta)?.topic == "stuck_on_calling")
        #expect(try store.conversationState(for: ConversationKey(room: "!dm", user: "@alice")) == nil)
    }

    // MARK: Fragments

    @Test func fragmentsAreJoinedAndAnsweredOnceReplyingToTheLastWithATypingNotice() async throws {
        let store = try StateStore()
        let assistant = try TestKnowledge.real()
        let fragments = ["so", "my whatsapp", "calls", "they just say calling"]
        let platform = ScriptedPlatform(fragments.enumerated().map { index, text in
            .messages([.test("f\(index)", text, at: t0.addingTimeInterval(Double(index)))])
        })
        try await runScript(platform, store: store, assistant: assistant, settings: quickSettings(fragmentWait: .seconds(30)))
        #expect(platform.sent.count == 1)
        let reply = try #require(platform.sent.first)
        #expect(reply.inReplyTo.id == "f3")
        #expect(reply.answers == ["f0", "f1", "f2", "f3"])
        var state = ConversationState()
        let expected = assistant.respond(to: fragments.joined(separator: " "), state: &state, now: t0)
        #expect(reply.plainText == expected.plainText)
        #expect(expected.intent == "stuck_on_calling")
        #expect(platform.typing == ["f0"])
        let account = AccountKey(platform: "test", account: "bot")
        for index in 0..<4 { #expect(try store.isHandled("f\(index)", for: account)) }
    }

    @Test func aCompleteQuestionIsAnsweredAtOnceWithoutWaiting() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([
            .messages([.test("q1", "my whatsapp calls say calling instead of ringing")]),
            .messages([.test("q2", "on iphone", at: t0.addingTimeInterval(1))]),
        ])
        try await runScript(platform, store: store, assistant: try TestKnowledge.real(),
                            settings: quickSettings(fragmentWait: .seconds(2)))
        #expect(platform.sent.map(\.inReplyTo.id) == ["q1", "q2"])
        #expect(platform.typing.isEmpty)
        // The second poll came right after the first answer (no fragment wait in its timeout).
        #expect(platform.polls.dropFirst().first?.timeout == RuntimeSettings().pollTimeout)
    }

    @Test func aFragmentAloneIsAnsweredWhenTheWaitEnds() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([.messages([.test("f1", "so")])])
        try await runScript(platform, store: store, assistant: try TestKnowledge.real(),
                            settings: quickSettings(fragmentWait: .milliseconds(300)))
        #expect(platform.sent.map(\.answers) == [["f1"]])
        #expect(platform.polls.contains { $0.timeout <= .milliseconds(300) })
    }

    @Test func aFragmentIsAnsweredEvenWhenThePlatformCannotShortenItsPoll() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([.messages([.test("f1", "so")])])
        platform.ignoreTimeouts()
        try await runScript(platform, store: store, assistant: try TestKnowledge.real(),
                            settings: quickSettings(fragmentWait: .milliseconds(300)))
        #expect(platform.sent.map(\.answers) == [["f1"]])
        #expect(try store.cursor(for: AccountKey(platform: "test", account: "bot"))?.cursor == "c1")
    }

    // MARK: Flood control

    @Test func aBurstOf30QuestionsIsAnsweredInFullWithOneNotice() async throws {
        let store = try StateStore()
        let messages = (0..<30).map { InboundMessage.test("b\($0)", "question number \($0)?", at: t0.addingTimeInterval(Double($0) / 10)) }
        let platform = ScriptedPlatform([.messages(Array(messages[..<15])), .messages(Array(messages[15...]))])
        try await runScript(platform, store: store)
        let answers = platform.sent.filter { if case .answer = $0.content { true } else { false } }
        #expect(answers.map(\.inReplyTo.id) == messages.map(\.id))
        #expect(platform.sentTexts.filter { $0 == FloodControl.slowDownText }.count == 1)
        #expect(try store.unansweredQuestions().filter { $0.bestGuess == UnansweredQuestion.notAnsweredFlood }.isEmpty)
    }

    @Test func aFlooderIsSlowedDownWithoutDelayingAnyoneElse() async throws {
        let store = try StateStore()
        var settings = quickSettings()
        settings.flood = FloodControlSettings(maxMessages: 2, window: 60, slowInterval: 0.2)
        let flood = (1...5).map { InboundMessage.test("a\($0)", "question \($0)?", from: "@a", at: t0) }
        let platform = ScriptedPlatform([.messages(flood + [.test("b1", "my question?", from: "@b", room: "!dm2", at: t0)])])
        try await runScript(platform, store: store, settings: settings)
        let sent = platform.sent.map { reply -> String in
            if case .notice = reply.content { return "notice:" + reply.inReplyTo.id }
            return reply.inReplyTo.id
        }
        #expect(sent == ["a1", "a2", "notice:a3", "b1", "a3", "a4", "a5"])
        // Every message was answered once; the cursor was saved once the slow lane was empty.
        #expect(try store.cursor(for: AccountKey(platform: "test", account: "bot"))?.cursor == "c1")
    }

    @Test func pastTheHardLimitMessagesAreRecordedNotDropped() async throws {
        let store = try StateStore()
        var settings = quickSettings()
        settings.flood = FloodControlSettings(maxMessages: 2, window: 60, slowInterval: 0, hardLimit: 3)
        let messages = (0..<5).map { InboundMessage.test("h\($0)", "question \($0)?", at: t0) }
        let platform = ScriptedPlatform([.messages(messages)])
        try await runScript(platform, store: store, settings: settings)
        let answered = platform.sent.filter { if case .answer = $0.content { true } else { false } }.map(\.inReplyTo.id)
        #expect(answered == ["h0", "h1", "h2"])
        let recorded = try store.unansweredQuestions().filter { $0.bestGuess == UnansweredQuestion.notAnsweredFlood }
        #expect(recorded.map(\.text) == ["question 3?", "question 4?"])
        #expect(recorded.allSatisfy { $0.platform == "test" })
    }

    // MARK: Addressing

    @Test func followUpsInAnsweredThreadsAreAnsweredAndNamesInPassingAreNot() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([.messages([
            .test("a", "chatting", room: "!g", addressing: .unaddressed),
            .test("b", "ringbot help?", room: "!g", thread: "$t", addressing: .mentioned),
            .test("c", "and what else?", room: "!g", thread: "$t", addressing: .unaddressed),
            .test("d", "other thread?", room: "!g", thread: "$other", addressing: .unaddressed),
        ])])
        try await runScript(platform, store: store)
        #expect(platform.sent.map(\.inReplyTo.id) == ["b", "c"])
    }

    @Test func theCommandPrefixAloneGetsTheHelp() async throws {
        let assistant = try TestKnowledge.real()
        let platform = ScriptedPlatform([.messages([.test("p", "", room: "!g", addressing: .mentioned)])])
        try await runScript(platform, store: try StateStore(), assistant: assistant)
        var state = ConversationState()
        let help = assistant.respond(to: "help", state: &state, now: t0)
        #expect(help.intent == "help")
        #expect(platform.sentTexts == [help.plainText])
    }

    // MARK: Failures and stopping

    @Test func aFirstStartThatNeverConnectsGivesUpWithThePlatformsMessage() async throws {
        let platform = ScriptedPlatform([])
        platform.failConnects(Array(repeating: .transient("cannot connect to http://127.0.0.1:1"), count: 10))
        let runtime = ChatRuntime(platform: platform, store: try StateStore(), assistants: AssistantBox(TestKnowledge.tiny()),
                                  settings: quickSettings(), logger: LogCapture().logger)
        await #expect { try await runtime.run() } throws: { error in
            (error as? ChatPlatformError)?.kind == .permanent && "\(error)".contains("cannot connect to http://127.0.0.1:1")
        }
        #expect(platform.connects == RuntimeSettings().firstStartAttempts)
    }

    @Test func withASavedCursorTransientFailuresAreRetriedAndLoggedOncePerChange() async throws {
        let store = try StateStore()
        try store.saveCursor("c0", for: AccountKey(platform: "test", account: "bot"), at: t0)
        let platform = ScriptedPlatform([.failure(.transient("HTTP 502")), .failure(.transient("HTTP 502")),
                                         .messages([.test("m1", "hi?")])])
        platform.failConnects(Array(repeating: .transient("refused"), count: 6))
        let logs = try await runScript(platform, store: store)
        #expect(platform.connects == 7)
        #expect(platform.sent.map(\.inReplyTo.id) == ["m1"])
        #expect(logs.lines(containing: "connection lost").count == 2)
        #expect(logs.lines(containing: "connection restored").count == 2)
    }

    @Test func aPermanentFailureStopsTheBotWithItsDescription() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([.failure(.permanent("the homeserver keeps refusing to sync"))])
        await #expect { try await runScript(platform, store: store) } throws: { error in
            "\(error)" == "the homeserver keeps refusing to sync"
        }
    }

    @Test func aStopWhileBackingOffEndsTheRunAtOnce() async throws {
        let store = try StateStore()
        try store.saveCursor("c0", for: AccountKey(platform: "test", account: "bot"), at: t0)
        let platform = ScriptedPlatform([])
        platform.failConnects(Array(repeating: .transient("refused"), count: 1000))
        var settings = quickSettings()
        settings.backoff = BackoffPolicy(initial: .seconds(3600), cap: .seconds(3600))
        let runtime = ChatRuntime(platform: platform, store: store, assistants: AssistantBox(TestKnowledge.tiny()),
                                  settings: settings, logger: LogCapture().logger)
        let run = Task { try await runtime.run() }
        while platform.connects == 0 { try await Task.sleep(for: .milliseconds(5)) }
        runtime.requestStop()
        try await run.value   // would wait an hour if the back-off were not abandoned
        #expect(platform.connects == 1)
    }

    @Test func aRejectedReplyCountsTheMessageAsHandledAndTheBotGoesOn() async throws {
        let store = try StateStore()
        let platform = ScriptedPlatform([.messages([.test("m1", "one?"), .test("m2", "two?")])])
        platform.failSends([.rejected("M_FORBIDDEN: not in the room")])
        let logs = try await runScript(platform, store: store)
        #expect(platform.sent.map(\.inReplyTo.id) == ["m2"])
        #expect(try store.isHandled("m1", for: AccountKey(platform: "test", account: "bot")))
        #expect(logs.lines(containing: "refused a reply").count == 1)
    }

    // MARK: Outbox

    /// Stops while a reply is being sent (the send never returns); the outbox keeps it.
    func leaveAReplyInFlight(_ store: StateStore, idempotent: Bool) async throws {
        let platform = ScriptedPlatform([.messages([.test("m1", "hello?")])], idempotent: idempotent)
        platform.delaySends(.seconds(3600))
        var settings = quickSettings()
        settings.stopGrace = .milliseconds(50)
        let runtime = ChatRuntime(platform: platform, store: store, assistants: AssistantBox(TestKnowledge.tiny()),
                                  settings: settings, logger: LogCapture().logger)
        let run = Task { try await runtime.run() }
        while try store.outbox(for: AccountKey(platform: "test", account: "bot")).isEmpty {
            try await Task.sleep(for: .milliseconds(5))
        }
        runtime.requestStop()
        try await run.value
        #expect(platform.sent.isEmpty)
    }

    @Test func aReplyInFlightAtAStopIsConfirmedByReadBackAndNotSentAgain() async throws {
        let store = try StateStore()
        try await leaveAReplyInFlight(store, idempotent: false)
        let account = AccountKey(platform: "test", account: "bot")
        #expect(try store.outbox(for: account).map(\.messageIDs) == [["m1"]])
        #expect(try store.cursor(for: account)?.cursor == "c0")

        let restarted = ScriptedPlatform([.messages([.test("m1", "hello?")])], idempotent: false)
        restarted.answerDeliveryChecks(.delivered)
        try await runScript(restarted, store: store)
        #expect(restarted.deliveryChecks == ["m1"])
        #expect(restarted.sent.isEmpty)
        #expect(try store.isHandled("m1", for: account))
        #expect(try store.outbox(for: account).isEmpty)
    }

    @Test func aReplyInFlightThePlatformCannotConfirmIsSentAgainWithAWarning() async throws {
        let store = try StateStore()
        try await leaveAReplyInFlight(store, idempotent: false)
        let restarted = ScriptedPlatform([.messages([.test("m1", "hello?")])], idempotent: false)
        let logs = try await runScript(restarted, store: store)
        #expect(restarted.sent.map(\.inReplyTo.id) == ["m1"])
        #expect(logs.lines(containing: "may see it twice").count == 1)
    }

    @Test func anIdempotentPlatformGetsTheSameKeyAgainWithoutAQuestion() async throws {
        let store = try StateStore()
        try await leaveAReplyInFlight(store, idempotent: true)
        let restarted = ScriptedPlatform([.messages([.test("m1", "hello?")])], idempotent: true)
        try await runScript(restarted, store: store)
        #expect(restarted.deliveryChecks.isEmpty)
        #expect(restarted.sent.map(\.idempotencyKey) == [ChatRuntime<ScriptedPlatform>.idempotencyKey(for: "m1")])
    }
}

import Foundation
import Testing
@testable import RingBotMatrix

@Suite struct ReplyFallbackTests {
    @Test func stripsTheQuotedLinesAndTheBlankLineAfterThem() {
        #expect(ReplyFallback.stripPlain("> <@a:x> old question\n> more\n\nnew question") == "new question")
    }

    @Test func leavesTextWithoutAQuoteAlone() {
        #expect(ReplyFallback.stripPlain("a > b\n> c") == "a > b\n> c")
    }

    @Test func stripsMxReplyFromHTML() {
        #expect(ReplyFallback.stripHTML("<mx-reply><blockquote>old</blockquote></mx-reply>new <b>q</b>") == "new <b>q</b>")
        #expect(ReplyFallback.stripHTML("no reply") == "no reply")
    }
}

@Suite struct MentionDetectorTests {
    let detector = MentionDetector(userID: "@ringbot:example.org", displayName: "Ring Helper", prefix: "!ringbot")

    @Test(arguments: [
        ("@ringbot:example.org: my calls do not ring", "my calls do not ring"),
        ("ringbot, my calls do not ring", "my calls do not ring"),
        ("RingBot: calls say calling", "calls say calling"),
        ("hey @ringbot why no ringing?", "hey why no ringing?"),
        ("Ring Helper: calls say calling", "calls say calling"),
        ("!ringbot calls say calling", "calls say calling"),
        ("!RINGBOT: calls say calling", "calls say calling"),
        ("calls say calling, ringbot?", "calls say calling?"),
    ])
    func findsAndRemovesTheAddress(body: String, expected: String) {
        #expect(detector.addressedText(body: body, formattedBody: nil, mentionedUserIDs: []) == expected)
    }

    @Test(arguments: [
        "my calls do not ring",
        "the ringbot is useful",
        "I asked ringbot yesterday and it helped",
        "I like Ring Helper",
        "ringbotics is a word",
        "!ringbots are many",
        "email ringbot2 about it",
    ])
    func ignoresMessagesNotAddressedToTheBot(body: String) {
        #expect(detector.addressedText(body: body, formattedBody: nil, mentionedUserIDs: []) == nil)
    }

    @Test func intentionalMentionsAndPillsCount() {
        #expect(detector.addressedText(body: "calls say calling", formattedBody: nil,
                                       mentionedUserIDs: ["@ringbot:example.org"]) == "calls say calling")
        #expect(detector.addressedText(
            body: "Bot: calls say calling",
            formattedBody: "<a href=\"https://matrix.to/#/@ringbot:example.org\">Bot</a>: calls say calling",
            mentionedUserIDs: []) == "calls say calling")
    }

    @Test func aPercentEncodedPillCounts() {
        #expect(detector.addressedText(
            body: "Bot: calls say calling",
            formattedBody: "<a href=\"https://matrix.to/#/%40ringbot%3Aexample.org\">Bot</a>: calls say calling",
            mentionedUserIDs: []) == "calls say calling")
    }

    @Test func aPillInsideAReplyQuoteDoesNotCount() {
        #expect(detector.addressedText(
            body: "calls say calling",
            formattedBody: "<mx-reply><a href=\"https://matrix.to/#/@ringbot:example.org\">x</a></mx-reply>calls",
            mentionedUserIDs: []) == nil)
    }
}

@Suite struct TransactionIDTests {
    @Test func isDeterministicPerEventAndDistinctAcrossEvents() {
        #expect(TransactionID.reply(to: "$abc") == TransactionID.reply(to: "$abc"))
        #expect(TransactionID.reply(to: "$abc") != TransactionID.reply(to: "$abd"))
        #expect(TransactionID.reply(to: "!abc") != TransactionID.encryptionNotice(in: "!abc"))
    }

    @Test func usesOnlyURLSafeCharacters() {
        let id = TransactionID.reply(to: "$a/b?c#d:e")
        #expect(id.hasPrefix("ringbot-"))
        #expect(id.count == 40)
        #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" })
        #expect(MatrixPath.encode(id) == id)
    }
}

@Suite struct MessageInterpreterTests {
    let interpreter = MessageInterpreter(detector: MentionDetector(
        userID: "@bot:x", displayName: "RingBot", prefix: "!ringbot"))

    func message(_ body: String, sender: String = "@alice:x", msgtype: String = "m.text",
                 extra: [String: JSONValue] = [:], ts: Double = 1_700_000_000_000) -> RoomEvent {
        var content: [String: JSONValue] = ["msgtype": .string(msgtype), "body": .string(body)]
        content.merge(extra) { _, new in new }
        return RoomEvent(eventID: "$q", type: "m.room.message", sender: sender,
                         sentAt: Date(timeIntervalSince1970: ts / 1000), content: .object(content))
    }

    @Test func inADirectChatEveryTextMessageIsAQuestionWithoutItsReplyQuote() {
        let result = interpreter.interpret(message("> <@bot:x> earlier\n\non iphone"), roomID: "!r:x", kind: .direct)
        guard case .answer(let question) = result else { Issue.record("\(result)"); return }
        #expect(question.text == "on iphone")
        #expect(question.sender == "@alice:x")
        #expect(question.threadRoot == nil)
    }

    @Test func inAGroupOnlyAddressedMessagesCount() {
        #expect(interpreter.interpret(message("calls say calling"), roomID: "!r:x", kind: .group)
            == .ignore(reason: "not addressed to the bot"))
        guard case .answer(let question) = interpreter.interpret(message("RingBot: calls say calling"),
                                                                roomID: "!r:x", kind: .group)
        else { Issue.record("expected an answer"); return }
        #expect(question.text == "calls say calling")
    }

    @Test func inAGroupAThreadMessageIsAFollowUpCandidateAndAReplyToTheBotIsAddressed() {
        let inThread = message("and on android?", extra: ["m.relates_to": ["rel_type": "m.thread", "event_id": "$root"]])
        guard case .followUpOnly(let question) = interpreter.interpret(inThread, roomID: "!r:x", kind: .group)
        else { Issue.record("expected a follow-up candidate"); return }
        #expect(question.threadRoot == "$root")
        let replyToBot = message("> <@bot:x> Try this first\n\nit did not help")
        guard case .answer(let answer) = interpreter.interpret(replyToBot, roomID: "!r:x", kind: .group)
        else { Issue.record("a reply to the bot is addressed to it"); return }
        #expect(answer.text == "it did not help")
        #expect(interpreter.interpret(message("> <@carol:x> hi\n\nthe ringbot is useful"), roomID: "!r:x", kind: .group)
            == .ignore(reason: "not addressed to the bot"))
    }

    @Test func thePrefixAloneIsAddressedWithAnEmptyText() {
        guard case .answer(let question) = interpreter.interpret(message("!ringbot"), roomID: "!r:x", kind: .group)
        else { Issue.record("expected an answer"); return }
        #expect(question.text == "")
    }

    @Test func inASupportRoomUnaddressedMessagesAreAnsweredOnlyIfConfident() {
        guard case .answerIfConfident = interpreter.interpret(message("calls say calling"), roomID: "!r:x",
                                                              kind: .support)
        else { Issue.record("expected answerIfConfident"); return }
    }

    @Test(arguments: [
        ("own", "@bot:x", "m.text", [String: JSONValue]()),
        ("notice", "@alice:x", "m.notice", [:]),
        ("emote", "@alice:x", "m.emote", [:]),
        ("edit", "@alice:x", "m.text", ["m.relates_to": ["rel_type": "m.replace", "event_id": "$o"]]),
        ("new content", "@alice:x", "m.text", ["m.new_content": ["body": "x", "msgtype": "m.text"]]),
    ] as [(String, String, String, [String: JSONValue])])
    func ignores(label: String, sender: String, msgtype: String, extra: [String: JSONValue]) {
        guard case .ignore = interpreter.interpret(message("hello", sender: sender, msgtype: msgtype, extra: extra),
                                                   roomID: "!r:x", kind: .direct)
        else { Issue.record("\(label) should be ignored"); return }
    }

    @Test func ignoresRedactedEventsAndEventsWithoutBody() {
        var redacted = message("x")
        redacted.isRedacted = true
        #expect(interpreter.interpret(redacted, roomID: "!r:x", kind: .direct) == .ignore(reason: "redacted"))
        let noBody = RoomEvent(eventID: "$q", type: "m.room.message", sender: "@alice:x",
                               content: ["msgtype": "m.text", "body": 5])
        #expect(interpreter.interpret(noBody, roomID: "!r:x", kind: .direct) == .ignore(reason: "malformed: no body"))
    }

    @Test func ignoresEventsOlderThanTheStartWhenAsked() {
        var early = interpreter
        early.notBefore = Date(timeIntervalSince1970: 1_700_000_001)
        #expect(early.interpret(message("x"), roomID: "!r:x", kind: .direct)
            == .ignore(reason: "older than the bot's start"))
    }

    @Test func keepsTheThreadRoot() {
        let event = message("why no ringing", extra: ["m.relates_to": ["rel_type": "m.thread", "event_id": "$root"]])
        guard case .answer(let question) = interpreter.interpret(event, roomID: "!r:x", kind: .direct)
        else { Issue.record("expected an answer"); return }
        #expect(question.threadRoot == "$root")
    }
}

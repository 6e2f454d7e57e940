import Foundation
import Testing
@testable import RingBotZulip

@Suite struct ZulipInterpreterTests {
    let interpreter = ZulipInterpreter(identity: ZulipIdentity(userID: 8, email: "ringbot-bot@zulip.example", fullName: "RingBot"))

    func decode(_ object: [String: Any]) throws -> ZulipMessage {
        try JSONDecoder().decode(ZulipMessage.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func everyDirectMessageIsForTheBotAndRepliesGoToTheOtherParticipants() throws {
        let dm = try decode(message(id: 5, content: "Why only *ringing*?"))
        let question = try #require(interpreter.interpret(dm, flags: []))
        #expect(question.addressing == .direct && question.room == "dm:10" && question.sender == "10")
        #expect(question.text == "Why only *ringing*?" && question.thread == nil)
        #expect(question.target.destination == .direct(userIDs: [10]))
        let group = try decode(message(id: 6, content: "hi", participants: [(8, "b", "RingBot"), (11, "c", "Bob"), (10, "a", "Alice")]))
        #expect(interpreter.interpret(group, flags: [])?.target.destination == .direct(userIDs: [10, 11]))
    }

    @Test func theBotsOwnMessagesAndOtherBotsAreIgnored() throws {
        let own = try decode(message(id: 7, sender: (8, "ringbot-bot@zulip.example", "RingBot"), content: "answer"))
        #expect(interpreter.interpret(own, flags: ["read"]) == nil)
        let welcome = try decode(message(id: 8, sender: (3, "welcome-bot@zulip.example", "Welcome Bot"), content: "Hi!"))
        #expect(interpreter.interpret(welcome, flags: []) == nil)
        let robert = try decode(message(id: 9, sender: (12, "bot@zulip.example", "Robert"), content: "Hi!"))
        #expect(interpreter.interpret(robert, flags: []) != nil)
    }

    @Test func aChannelMessageIsAddressedByTheMentionedFlagOrAMentionOfTheBot() throws {
        let flagged = try decode(message(id: 9, content: "@**RingBot** why ringing?", stream: (1, "support", "Calls")))
        let question = try #require(interpreter.interpret(flagged, flags: ["mentioned"]))
        #expect(question.addressing == .mentioned && question.text == "why ringing?")
        #expect(question.room == "stream:1" && question.thread == "calls")
        #expect(question.target.destination == .stream(id: 1, topic: "Calls"))
        let byID = try decode(message(id: 10, content: "hey @**Ring Bot old name|8**, calls?", stream: (1, "support", "x")))
        #expect(interpreter.interpret(byID, flags: [])?.addressing == .mentioned)
        #expect(interpreter.interpret(byID, flags: [])?.text == "hey , calls?")
    }

    @Test func silentMentionsAndOtherPeoplesMentionsDoNotAddressTheBot() throws {
        let silent = try decode(message(id: 11, content: "as @_**RingBot** said, restart", stream: (1, "support", "x")))
        #expect(interpreter.interpret(silent, flags: [])?.addressing == .unaddressed)
        let other = try decode(message(id: 12, content: "@**Bob Roe** calls?", stream: (1, "support", "x")))
        #expect(interpreter.interpret(other, flags: [])?.addressing == .unaddressed)
    }

    @Test func quotesOfEarlierMessagesAreNotPartOfTheQuestion() throws {
        let content = """
            @_**RingBot|8** [said](https://chat.example/#narrow/channel/1-support/topic/x/near/40):
            ```quote
            Try restarting the phone.
            ```
            > an old line
            @**RingBot** still only ringing
            """
        let quoted = try decode(message(id: 13, content: content, stream: (1, "support", "x")))
        let question = try #require(interpreter.interpret(quoted, flags: ["mentioned"]))
        #expect(question.text == "still only ringing")
        #expect(question.target.quotedText == "still only ringing")
    }
}

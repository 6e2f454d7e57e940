import Testing
@testable import RingBotTelegram

@Suite struct TelegramAddressingTests {
    let addressing = TelegramAddressing(bot: testBot)

    @Test func everyTextInAPrivateChatIsDirectAndHelpCommandsAskForHelp() {
        #expect(addressing.verdict(for: message("my calls say calling", chat: privateChat))
            == .init(kind: .direct, text: "my calls say calling"))
        #expect(addressing.verdict(for: message("/start", chat: privateChat)) == .init(kind: .direct, text: "help"))
        #expect(addressing.verdict(for: message("/help@ringbot_test_bot", chat: privateChat)) == .init(kind: .direct, text: "help"))
        #expect(addressing.verdict(for: message("/ask why calling", chat: privateChat)) == .init(kind: .direct, text: "why calling"))
        #expect(addressing.verdict(for: message("/settings", chat: privateChat)) == .init(kind: .direct, text: "/settings"))
    }

    @Test func inAGroupOnlyOurCommandsMentionsAndRepliesToTheBotAreAddressed() {
        #expect(addressing.verdict(for: message("/ask@ringbot_test_bot why does it say calling", chat: group))
            == .init(kind: .mentioned, text: "why does it say calling"))
        #expect(addressing.verdict(for: message("/ask why does it say calling", chat: group))
            == .init(kind: .mentioned, text: "why does it say calling"))
        #expect(addressing.verdict(for: message("/help", chat: group)) == .init(kind: .mentioned, text: "help"))
        #expect(addressing.verdict(for: message("/ask@other_bot why", chat: group)) == nil)
        #expect(addressing.verdict(for: message("/ban alice", chat: group)) == nil)
        #expect(addressing.verdict(for: message("@ringbot_test_bot, my calls say calling", chat: group))
            == .init(kind: .mentioned, text: "my calls say calling"))
        #expect(addressing.verdict(for: message("hey @RingBot_Test_Bot why calling?", chat: group))
            == .init(kind: .mentioned, text: "hey why calling?"))
        #expect(addressing.verdict(for: message("ask @alice_smith about it", chat: group))?.kind == .unaddressed)
        #expect(addressing.verdict(for: message("my calls say calling", chat: group))?.kind == .unaddressed)
        let replyToBot = TelegramRepliedMessage(messageID: 3, from: testBot)
        #expect(addressing.verdict(for: message("and on iphone?", chat: group, replyTo: replyToBot))
            == .init(kind: .mentioned, text: "and on iphone?"))
    }

    @Test func aTopicsCreationMessageIsNotAReplyToTheBot() {
        let creation = TelegramRepliedMessage(messageID: 1, from: alice)
        #expect(addressing.verdict(for: message("calls stuck", chat: forum, thread: 1, replyTo: creation))?.kind == .unaddressed)
    }

    @Test func botsServiceMessagesAndTextlessMessagesAreIgnored() {
        #expect(addressing.verdict(for: message(nil, chat: privateChat)) == nil)
        #expect(addressing.verdict(for: message("hello", chat: privateChat, from: testBot)) == nil)
        #expect(addressing.verdict(for: message("hello", chat: group, from: nil)) == nil)
        #expect(addressing.verdict(for: message("hi", chat: TelegramChat(id: -100, type: "channel"))) == nil)
    }

    @Test func entityOffsetsCountUTF16CodeUnits() {
        // "😀" is two UTF-16 code units: the mention starts at offset 3, not 2.
        let text = "😀 @ringbot_test_bot calls"
        let mention = TelegramEntity(type: "mention", offset: 3, length: 17)
        let withEmoji = TelegramMessage(messageID: 1, from: alice, date: 0, chat: group, text: text, entities: [mention])
        #expect(addressing.verdict(for: withEmoji) == .init(kind: .mentioned, text: "😀 calls"))
        let broken = TelegramMessage(messageID: 1, from: alice, date: 0, chat: group, text: "hi",
                                     entities: [TelegramEntity(type: "mention", offset: 1, length: 40)])
        #expect(addressing.verdict(for: broken)?.kind == .unaddressed)
    }
}

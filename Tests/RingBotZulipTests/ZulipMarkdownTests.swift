import Foundation
import Testing
import RingBotCore
@testable import RingBotZulip

@Suite struct ZulipMarkdownTests {
    @Test func userTextCannotMentionLinkOrOpenACodeBlock() {
        #expect(ZulipMarkdown.escape("@**all** [x](http://e) ```") == "@\\*\\*all\\*\\* \\[x\\]\\(http://e\\) \\`\\`\\`")
        #expect(ZulipMarkdown.escape("# 1. - > plain") == "\\# 1\\. \\- \\> plain")
    }

    @Test func answersRenderAsParagraphsHeadingsAndLists() {
        let document = ReplyDocument([.paragraph("Calling means dialing."), .heading("On Android:"),
                                      .numbered(["Open Settings", "Tap *Apps*"]), .bullets(["one", "two"])])
        #expect(ZulipMarkdown.render(document) == """
            Calling means dialing\\.

            **On Android:**

            1. Open Settings
            2. Tap \\*Apps\\*

            * one
            * two
            """)
    }

    @Test func aReplyQuotesTheQuestionWithALinkThatNamesIt() {
        let target = ZulipReplyTarget(messageID: 123, destination: .stream(id: 1, topic: "calls & co."), askerID: 10,
                                      askerName: "Alice Doe", streamName: "support desk", quotedText: "why *only* ringing?")
        let reply = ZulipMarkdown.reply("Answer.", to: target, site: "https://chat.example")
        #expect(reply == """
            @_**Alice Doe|10** [said](https://chat.example/#narrow/channel/1-support-desk/topic/calls.20.26.20co.2E/near/123):
            ```quote
            why \\*only\\* ringing?
            ```
            Answer.
            """)
        #expect(ZulipMarkdown.repliedMessageIDs(in: reply) == [123])
    }

    @Test func directRepliesLinkTheConversation() {
        let target = ZulipReplyTarget(messageID: 7, destination: .direct(userIDs: [10]), askerID: 10,
                                      askerName: "Al*ice|", streamName: nil, quotedText: "")
        #expect(ZulipMarkdown.reply("Hi.", to: target, site: "https://c") == "@_**Alice|10** [said](https://c/#narrow/dm/10-dm/near/7):\nHi.")
    }

    @Test func onlyReplyLinksCountAsReplies() {
        #expect(ZulipMarkdown.repliedMessageIDs(in: "see /near/12 and [x](https://c/#narrow/dm/1-dm/near/34)") == [34])
    }
}

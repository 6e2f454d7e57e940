import Foundation
import Testing
import RingBotCore
@testable import RingBotMatrix

@Suite struct ReplyComposerTests {
    let document = ReplyDocument([.paragraph("Use <b>Settings</b> & restart"), .numbered(["Open", "Tap"])])

    func question(thread: String? = nil) -> Question {
        Question(eventID: "$q", roomID: "!r:x", sender: "@alice:x", text: "t", threadRoot: thread, sentAt: nil)
    }

    @Test func aReplyIsANoticeWithEscapedHTMLThatRepliesToTheQuestionAndMentionsTheAsker() {
        let content = ReplyComposer.reply(document, to: question())
        #expect(content["msgtype"] == "m.notice")
        #expect(content["body"]?.stringValue == "Use <b>Settings</b> & restart\n\n1. Open\n2. Tap")
        #expect(content["format"] == "org.matrix.custom.html")
        #expect(content["formatted_body"]?.stringValue
            == "<p>Use &lt;b&gt;Settings&lt;/b&gt; &amp; restart</p><ol><li>Open</li><li>Tap</li></ol>")
        #expect(content["m.relates_to"] == ["m.in_reply_to": ["event_id": "$q"]])
        #expect(content["m.mentions"] == ["user_ids": ["@alice:x"]])
    }

    @Test func aQuestionInAThreadIsAnsweredInThatThread() {
        let content = ReplyComposer.reply(document, to: question(thread: "$root"))
        #expect(content["m.relates_to"] == [
            "rel_type": "m.thread", "event_id": "$root", "is_falling_back": true,
            "m.in_reply_to": ["event_id": "$q"],
        ])
    }
}

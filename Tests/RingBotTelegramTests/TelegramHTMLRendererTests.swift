import RingBotCore
import Testing
@testable import RingBotTelegram

@Suite struct TelegramHTMLRendererTests {
    @Test func headingsStepsAndBulletsUseOnlyTagsTelegramAllowsAndEveryTextIsEscaped() {
        let document = ReplyDocument([
            .paragraph("Calls say <Calling> & don't ring"),
            .heading("On Android:"),
            .numbered(["Open <Settings>", "Tap Apps & notifications"]),
            .bullets(["No <b>internet</b>"]),
        ])
        #expect(TelegramHTMLRenderer.render(document) == """
            Calls say &lt;Calling&gt; &amp; don't ring

            <b>On Android:</b>
            1. Open &lt;Settings&gt;
            2. Tap Apps &amp; notifications

            • No &lt;b&gt;internet&lt;/b&gt;
            """)
    }

    @Test func aLongReplyIsSplitBetweenBlocksAndEveryMessageFitsTheLimit() {
        let items = (1...40).map { "Step \($0): " + String(repeating: "tap & hold ", count: 12) }
        let document = ReplyDocument([.heading("Steps"), .numbered(items), .paragraph("Done <now>.")])
        let messages = TelegramHTMLRenderer.messages(document, limit: 1000)
        #expect(messages.count > 4)
        #expect(messages.allSatisfy { $0.utf16.count <= 1000 })
        // Nothing lost or reordered: only the separators at the cuts differ.
        let oneLineBreak = { (text: String) in text.replacingOccurrences(of: "\n\n", with: "\n") }
        #expect(oneLineBreak(messages.joined(separator: "\n")) == oneLineBreak(TelegramHTMLRenderer.render(document)))
        #expect(TelegramHTMLRenderer.messages(document).count == 2)
    }

    @Test func anOverlongLineIsCutBetweenWordsOrCharactersButNeverInsideAnEntity() {
        let word = String(repeating: "&", count: 300)
        let messages = TelegramHTMLRenderer.messages(ReplyDocument([.heading(word + " " + word)]), limit: 100)
        #expect(messages.allSatisfy { $0.utf16.count <= 100 })
        #expect(messages.allSatisfy { $0.hasPrefix("<b>") && $0.hasSuffix("</b>") })
        let inner = messages.map { $0.dropFirst(3).dropLast(4) }.joined()
        #expect(inner == String(repeating: "&amp;", count: 600))
    }

    @Test func aNoticeIsEscaped() {
        #expect(TelegramHTMLRenderer.messages(notice: "slow <down>") == ["slow &lt;down&gt;"])
    }
}

import Testing
import RingBotCore
import RingBotTerminal

let sampleDocument = ReplyDocument([
    .paragraph("Calls stay on \"Calling\"."),
    .heading("On Android:"),
    .numbered(["Open Settings.", "Tap Apps.", "Tap Force stop."]),
    .bullets(["Their phone is off.", "They blocked you."]),
    .paragraph("Done."),
])

@Suite("Plain-text renderer")
struct PlainTextRendererTests {
    @Test("numbers steps, dashes bullets, keeps a heading on its block")
    func rendersDocument() {
        #expect(PlainTextRenderer.render(sampleDocument) == """
            Calls stay on "Calling".

            On Android:
            1. Open Settings.
            2. Tap Apps.
            3. Tap Force stop.

            - Their phone is off.
            - They blocked you.

            Done.
            """)
    }

    @Test("an empty document renders as empty text")
    func empty() {
        #expect(PlainTextRenderer.render(ReplyDocument()) == "")
    }

    @Test("Reply.plainText is the plain-text rendering of its document")
    func replyPlainText() {
        let reply = Reply(intent: "x", platform: nil, confidence: 1, document: sampleDocument, answered: true)
        #expect(reply.plainText == PlainTextRenderer.render(sampleDocument))
    }
}

@Suite("HTML renderer")
struct HTMLRendererTests {
    @Test("escapes every markup character", arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("say \"hi\" it's", "say &quot;hi&quot; it&#39;s"),
        ("&amp;", "&amp;amp;"),
        ("plain text ✓", "plain text ✓"),
        ("", ""),
    ])
    func escapes(text: String, escaped: String) {
        #expect(HTMLRenderer.escape(text) == escaped)
    }

    @Test("renders blocks as the small HTML subset")
    func rendersDocument() {
        #expect(HTMLRenderer.render(sampleDocument) ==
            "<p>Calls stay on &quot;Calling&quot;.</p><p><strong>On Android:</strong></p>"
            + "<ol><li>Open Settings.</li><li>Tap Apps.</li><li>Tap Force stop.</li></ol>"
            + "<ul><li>Their phone is off.</li><li>They blocked you.</li></ul><p>Done.</p>")
    }

    @Test("text from anywhere in a document can never become markup")
    func noInjection() {
        let evil = "<script>x</script><img src=x onerror='a'>"
        let html = HTMLRenderer.render(ReplyDocument([.paragraph(evil), .heading(evil), .numbered([evil]), .bullets([evil])]))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("'"))
        #expect(html.components(separatedBy: "&lt;script&gt;").count == 5)
    }
}

@Suite("Terminal")
struct TerminalTests {
    @Test("the sanitizer removes escape sequences, controls and bidi overrides", arguments: [
        ("\u{1B}[31mred\u{1B}[0m", "red"),
        ("\u{1B}]0;evil title\u{07}ok", "ok"),
        ("\u{1B}]8;;http://x\u{1B}\\link", "link"),
        ("a\u{0}b\u{7}c\u{7F}d\u{85}e\u{9B}f", "abcdef"),
        ("keep\nnew\tlines", "keep\nnew\tlines"),
        ("\u{202E}txt.exe\u{202C} \u{2066}x\u{2069}", "txt.exe x"),
        ("café ✓ 😀", "café ✓ 😀"),
        ("trailing escape \u{1B}", "trailing escape "),
    ])
    func sanitizes(input: String, clean: String) {
        #expect(TerminalSanitizer.clean(input) == clean)
    }

    @Test("without colour, the terminal renderer writes no escape codes")
    func noColor() {
        let text = TerminalRenderer(color: false).render(sampleDocument)
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("  1. Open Settings."))
        #expect(text.contains("  • They blocked you."))
        #expect(text.hasPrefix("Calls stay on \"Calling\".\n\nOn Android:\n  1. Open Settings."))
    }

    @Test("with colour, headings are bold; knowledge text cannot inject escapes")
    func color() {
        let renderer = TerminalRenderer(color: true)
        let text = renderer.render(ReplyDocument([.heading("Steps"), .paragraph("x\u{1B}[2Jy")]))
        #expect(text.contains("\u{1B}[1mSteps\u{1B}[0m"))
        #expect(text.contains("xy"))
        #expect(!text.contains("[2J"))
    }
}

@Suite("Terminal word wrap")
struct TerminalWrapTests {
    let text = "WhatsApp calls need a working internet connection on both phones, so ask them to switch to Wi-Fi"

    @Test("lines fit the width, words are never split, list items hang under their text")
    func wraps() {
        let document = ReplyDocument([.paragraph(text), .numbered([text])])
        let rendered = TerminalRenderer(color: false, width: 30).render(document)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 30 }, "\(rendered)")
        let words = rendered.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0 != "1." }
        #expect(words.map(String.init) == (text + " " + text).split(separator: " ").map(String.init))
        #expect(lines.contains { $0.hasPrefix("  1. WhatsApp") })
        #expect(lines.last?.hasPrefix("     ") == true)
    }

    @Test("no width means no wrapping")
    func noWrap() {
        let rendered = TerminalRenderer(color: false).render(ReplyDocument([.paragraph(text)]))
        #expect(rendered == text)
    }
}

import RingBotCore

/// Renders a reply for a terminal: numbered steps, bullets, bold headings when
/// colour is on. All text passes through ``TerminalSanitizer``.
public struct TerminalRenderer: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func render(_ document: ReplyDocument) -> String {
        var lines: [String] = []
        for (index, block) in document.blocks.enumerated() {
            let afterHeading = index > 0 && { if case .heading = document.blocks[index - 1] { return true } else { return false } }()
            if index > 0 && !afterHeading { lines.append("") }
            switch block {
            case .paragraph(let text):
                lines.append(TerminalSanitizer.clean(text))
            case .heading(let text):
                lines.append(style(TerminalSanitizer.clean(text), code: "1"))
            case .numbered(let items):
                for (n, item) in items.enumerated() {
                    lines.append("  " + style("\(n + 1).", code: "36") + " " + TerminalSanitizer.clean(item))
                }
            case .bullets(let items):
                for item in items { lines.append("  " + style("•", code: "36") + " " + TerminalSanitizer.clean(item)) }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Wraps `text` in an SGR colour code when colour is on.
    public func style(_ text: String, code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

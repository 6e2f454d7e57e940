import RingBotCore

/// Renders a reply for a terminal: numbered steps, bullets, bold headings when
/// colour is on. All text passes through ``TerminalSanitizer``.
public struct TerminalRenderer: Sendable {
    public var color: Bool
    /// Wrap lines at this many columns (words are never split), or nil for no wrapping.
    public var width: Int?

    public init(color: Bool, width: Int? = nil) {
        self.color = color
        self.width = width.map { max(20, $0) }
    }

    public func render(_ document: ReplyDocument) -> String {
        var lines: [String] = []
        for (index, block) in document.blocks.enumerated() {
            let afterHeading = index > 0 && { if case .heading = document.blocks[index - 1] { return true } else { return false } }()
            if index > 0 && !afterHeading { lines.append("") }
            switch block {
            case .paragraph(let text):
                lines += wrap(TerminalSanitizer.clean(text), indent: 0).map { $0 }
            case .heading(let text):
                lines += wrap(TerminalSanitizer.clean(text), indent: 0).map { style($0, code: "1") }
            case .numbered(let items):
                for (n, item) in items.enumerated() {
                    let marker = "\(n + 1)."
                    lines += listItem(TerminalSanitizer.clean(item), marker: marker, styledMarker: style(marker, code: "36"))
                }
            case .bullets(let items):
                for item in items {
                    lines += listItem(TerminalSanitizer.clean(item), marker: "•", styledMarker: style("•", code: "36"))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "  1. text", continuation lines indented under the text.
    private func listItem(_ text: String, marker: String, styledMarker: String) -> [String] {
        let indent = 2 + marker.count + 1
        let wrapped = wrap(text, indent: indent)
        return wrapped.enumerated().map { index, line in
            index == 0 ? "  " + styledMarker + " " + line : String(repeating: " ", count: indent) + line
        }
    }

    /// Greedy word wrap to ``width`` minus `indent` columns; long words stay whole.
    func wrap(_ text: String, indent: Int) -> [String] {
        guard let width else { return [text] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width - indent {
                    lines.append(line)
                    line = ""
                }
                line += line.isEmpty ? String(word) : " " + word
            }
            lines.append(line)
        }
        return lines
    }

    /// Wraps `text` in an SGR colour code when colour is on.
    public func style(_ text: String, code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Renders a ``ReplyDocument`` as plain text: paragraphs separated by blank lines,
/// numbered steps as `1. ...`, bullets as `- ...`.
public enum PlainTextRenderer {
    public static func render(_ document: ReplyDocument) -> String {
        var parts: [String] = []
        for block in document.blocks {
            switch block {
            case .paragraph(let text):
                parts.append(text)
            case .heading(let text):
                parts.append(text)
            case .numbered(let items):
                parts.append(items.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n"))
            case .bullets(let items):
                parts.append(items.map { "- \($0)" }.joined(separator: "\n"))
            }
        }
        // A heading sticks to the block after it.
        var out = ""
        for (index, part) in parts.enumerated() {
            if index > 0 {
                if case .heading = document.blocks[index - 1] { out += "\n" } else { out += "\n\n" }
            }
            out += part
        }
        return out
    }
}

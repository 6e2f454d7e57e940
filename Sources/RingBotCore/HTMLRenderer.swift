/// Renders a ``ReplyDocument`` as the small HTML subset chat clients accept
/// (`<p>`, `<strong>`, `<ol>`, `<ul>`, `<li>`). All text is escaped.
public enum HTMLRenderer {
    public static func render(_ document: ReplyDocument) -> String {
        var html = ""
        for block in document.blocks {
            switch block {
            case .paragraph(let text):
                html += "<p>\(escape(text))</p>"
            case .heading(let text):
                html += "<p><strong>\(escape(text))</strong></p>"
            case .numbered(let items):
                html += "<ol>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ol>"
            case .bullets(let items):
                html += "<ul>" + items.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
            }
        }
        return html
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` so text can never become markup.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}

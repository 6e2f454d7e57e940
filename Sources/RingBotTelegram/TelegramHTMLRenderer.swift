import RingBotCore

/// Renders a ``RingBotCore/ReplyDocument`` as Telegram's `parse_mode=HTML`, which allows only a few inline
/// tags (no `<p>`, `<br>`, `<ul>`, `<ol>` or `<li>`): headings are `<b>`, steps are "1. " lines, bullets
/// are "• " lines, paragraphs are separated by a blank line. Every piece of text is escaped, so user or
/// knowledge text can never become markup.
///
/// ``messages(_:limit:)`` splits a long reply into messages of at most `limit` UTF-16 code units of HTML
/// (Telegram's limit is 4096 characters after entity parsing, so the HTML source length is a safe bound):
/// between blocks first, then between lines, then between words; never inside a tag or an entity.
public enum TelegramHTMLRenderer {
    /// The Bot API's longest message text.
    public static let messageLimit = 4096

    /// One line of output and what separates it from the line before.
    struct Line: Equatable {
        var html: String
        /// A blank line (between blocks) rather than a line break (within a block).
        var startsBlock: Bool
    }

    /// The whole reply as one HTML text (no length limit).
    public static func render(_ document: ReplyDocument) -> String {
        join(lines(document))
    }

    /// The reply as one or more HTML messages, each at most `limit` UTF-16 code units.
    public static func messages(_ document: ReplyDocument, limit: Int = messageLimit) -> [String] {
        pack(lines(document), limit: max(limit, 64))
    }

    /// A plain notice (e.g. "please slow down"), escaped and split like a reply.
    public static func messages(notice: String, limit: Int = messageLimit) -> [String] {
        messages(ReplyDocument([.paragraph(notice)]), limit: limit)
    }

    /// Escapes the three characters Telegram's HTML parser treats specially.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func lines(_ document: ReplyDocument) -> [Line] {
        var out: [Line] = []
        var afterHeading = false
        for block in document.blocks {
            let startsBlock = !out.isEmpty && !afterHeading
            afterHeading = false
            switch block {
            case .paragraph(let text):
                out.append(Line(html: escape(text), startsBlock: startsBlock))
            case .heading(let text):
                out.append(Line(html: "<b>\(escape(text))</b>", startsBlock: startsBlock))
                afterHeading = true
            case .numbered(let items):
                for (index, item) in items.enumerated() {
                    out.append(Line(html: "\(index + 1). \(escape(item))", startsBlock: index == 0 && startsBlock))
                }
            case .bullets(let items):
                for (index, item) in items.enumerated() {
                    out.append(Line(html: "• \(escape(item))", startsBlock: index == 0 && startsBlock))
                }
            }
        }
        return out
    }

    static func join(_ lines: [Line]) -> String {
        var text = ""
        for (index, line) in lines.enumerated() {
            if index > 0 { text += line.startsBlock ? "\n\n" : "\n" }
            text += line.html
        }
        return text
    }

    static func pack(_ lines: [Line], limit: Int) -> [String] {
        var messages: [String] = []
        var current = ""
        for line in lines.flatMap({ split($0, limit: limit) }) {
            let separator = line.startsBlock ? "\n\n" : "\n"
            if current.isEmpty {
                current = line.html
            } else if current.utf16.count + separator.utf16.count + line.html.utf16.count <= limit {
                current += separator + line.html
            } else {
                messages.append(current)
                current = line.html
            }
        }
        if !current.isEmpty { messages.append(current) }
        return messages
    }

    /// A line longer than `limit` as several lines, cut between words (or, for a single overlong word,
    /// between characters), keeping a `<b>` wrapper around each piece.
    static func split(_ line: Line, limit: Int) -> [Line] {
        guard line.html.utf16.count > limit else { return [line] }
        let bold = line.html.hasPrefix("<b>") && line.html.hasSuffix("</b>")
        let inner = bold ? String(line.html.dropFirst(3).dropLast(4)) : line.html
        let budget = limit - (bold ? 7 : 0)
        var pieces: [String] = []
        var current = ""
        for word in words(inner) {
            if current.utf16.count + word.utf16.count <= budget {
                current += word
                continue
            }
            if !current.isEmpty { pieces.append(current) }
            current = ""
            var rest = Substring(word)
            while rest.utf16.count > budget {
                let cut = cutIndex(rest, budget: budget)
                pieces.append(String(rest[..<cut]))
                rest = rest[cut...]
            }
            current = String(rest)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces.enumerated().map { index, piece in
            let text = piece.trimmingSpaces()
            return Line(html: bold ? "<b>\(text)</b>" : text, startsBlock: index == 0 && line.startsBlock)
        }
    }

    /// Words with their trailing spaces; an escaped entity (`&amp;`) stays whole inside its word.
    private static func words(_ html: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in html {
            current.append(character)
            if character == " " {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Where to cut an overlong word so the first part fits `budget`, never inside `&...;`.
    private static func cutIndex(_ word: Substring, budget: Int) -> Substring.Index {
        var index = word.startIndex
        var used = 0
        var lastSafe = word.startIndex
        var inEntity = false
        while index < word.endIndex {
            let character = word[index]
            if used + character.utf16.count > budget { break }
            used += character.utf16.count
            if character == "&" { inEntity = true }
            index = word.index(after: index)
            if character == ";" { inEntity = false }
            if !inEntity { lastSafe = index }
        }
        return lastSafe > word.startIndex ? lastSafe : word.index(after: word.startIndex)
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

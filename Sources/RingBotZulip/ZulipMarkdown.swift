import Foundation
import RingBotCore

/// Renders replies as Zulip Markdown. Every piece of text (the user's question and the
/// knowledge's answers alike) is escaped, so it shows as written and can never mention
/// anyone, link, or open a code block.
///
/// A reply starts the way Zulip's own "quote and reply" does:
///
///     @_**Alice Doe|10** [said](https://chat.example.org/#narrow/channel/1-support/topic/calls/near/123):
///     ```quote
///     Why does it only say ringing?
///     ```
///
/// The link's `/near/123` names the question, which is how ``repliedMessageIDs(in:)`` finds,
/// after a crash, whether a reply was already delivered.
public enum ZulipMarkdown {
    /// The longest question quoted in full; longer ones are cut with "…".
    public static let quoteLimit = 300

    /// `text` with every character Zulip's Markdown would interpret backslash-escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count + 8)
        for character in text {
            if escaped.contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// The characters Python-Markdown (Zulip's Markdown engine) lets a backslash escape. The
    /// others need none: Zulip escapes HTML itself, and mentions, channel links and emphasis all
    /// need one of these (`@**name**` needs `*`).
    private static let escaped: Set<Character> = ["\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", ">", "#", "+", "-", ".", "!"]

    /// The assistant's answer as Markdown: paragraphs, bold headings, numbered and bulleted lists.
    public static func render(_ document: ReplyDocument) -> String {
        document.blocks.map { block in
            switch block {
            case .paragraph(let text):
                return escape(text)
            case .heading(let text):
                return "**\(escape(text))**"
            case .numbered(let items):
                return items.enumerated().map { "\($0.offset + 1). \(escape($0.element))" }.joined(separator: "\n")
            case .bullets(let items):
                return items.map { "* \(escape($0))" }.joined(separator: "\n")
            }
        }.joined(separator: "\n\n")
    }

    /// A whole reply: the quote of the question, then `body` (already Markdown).
    public static func reply(_ body: String, to target: ZulipReplyTarget, site: String) -> String {
        var question = target.quotedText
        if question.count > quoteLimit { question = String(question.prefix(quoteLimit)) + "…" }
        let name = target.askerName.filter { $0 != "*" && $0 != "|" && !$0.isNewline }
        var lines = ["@_**\(name)|\(target.askerID)** [said](\(link(to: target, site: site))):"]
        if !question.isEmpty {
            lines += ["```quote", escape(question), "```"]
        }
        lines.append(body)
        return lines.joined(separator: "\n")
    }

    /// The question's permanent link, as Zulip's web app writes it.
    public static func link(to target: ZulipReplyTarget, site: String) -> String {
        let narrow: String
        switch target.destination {
        case .stream(let id, let topic):
            let channel = "\(id)-" + hashComponent((target.streamName ?? "").replacingOccurrences(of: " ", with: "-"))
            narrow = "channel/\(channel)/topic/\(hashComponent(topic))"
        case .direct(let userIDs):
            narrow = "dm/" + userIDs.map(String.init).joined(separator: ",") + (userIDs.count == 1 ? "-dm" : "-group")
        }
        return "\(site)/#narrow/\(narrow)/near/\(target.messageID)"
    }

    /// The question ids named by the reply links (`/near/<id>)`) in `content`.
    public static func repliedMessageIDs(in content: String) -> [Int] {
        var ids: [Int] = []
        var rest = content[...]
        while let range = rest.range(of: "/near/") {
            let digits = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let after = rest[range.upperBound...].dropFirst(digits.count)
            if let id = Int(digits), after.hasPrefix(")") { ids.append(id) }
            rest = rest[range.upperBound...]
        }
        return ids
    }

    /// Zulip's `encodeHashComponent`: percent-encoding with `%` written as `.` (and `.` as `.2E`).
    static func hashComponent(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_!~*'()")
        let encoded = text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return encoded.replacingOccurrences(of: ".", with: "%2E").replacingOccurrences(of: "%", with: ".")
    }
}

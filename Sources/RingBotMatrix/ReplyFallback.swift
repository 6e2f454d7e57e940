/// Removes the quoted original that clients put in front of a reply, so the bot
/// matches only what the user wrote.
public enum ReplyFallback {
    /// Drops the leading lines starting with `>` (the quote) and the blank line after them.
    public static func stripPlain(_ body: String) -> String {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.first, first.hasPrefix(">") else { return body }
        while let line = lines.first, line.hasPrefix(">") { lines = lines.dropFirst() }
        while let line = lines.first, line.allSatisfy(\.isWhitespace) { lines = lines.dropFirst() }
        return lines.joined(separator: "\n")
    }

    /// The user id quoted by a reply fallback (`> <@bot:x> ...` on the first line), if any:
    /// a reply to one of the bot's messages is addressed to the bot.
    public static func quotedSender(_ body: String) -> String? {
        guard body.hasPrefix("> <"), let close = body.firstIndex(of: ">", after: 2) else { return nil }
        let start = body.index(body.startIndex, offsetBy: 3)
        return String(body[start..<close])
    }

    /// Drops `<mx-reply>…</mx-reply>` from a formatted body.
    public static func stripHTML(_ html: String) -> String {
        guard let start = html.range(of: "<mx-reply>"),
              let end = html.range(of: "</mx-reply>", range: start.upperBound..<html.endIndex)
        else { return html }
        return String(html[..<start.lowerBound]) + String(html[end.upperBound...])
    }
}

private extension String {
    /// The first index of `character` at or after the `offset`-th character.
    func firstIndex(of character: Character, after offset: Int) -> Index? {
        guard let start = index(startIndex, offsetBy: offset, limitedBy: endIndex) else { return nil }
        return self[start...].firstIndex(of: character)
    }
}

import Foundation

/// Finds whether a group-room message is addressed to the bot, and removes the
/// address so the matcher sees only the question.
///
/// A message is addressed to the bot when `m.mentions.user_ids` lists it, when
/// the formatted body links to it (a "pill"), when it starts with the command prefix
/// (e.g. `!ringbot`), or when the text calls the bot by its user id, display name or
/// localpart (optionally with a leading `@`) as a form of address: at the start
/// ("RingBot: ...", "hey ringbot, ..."), or at the end after a comma or a greeting
/// ("..., ringbot?", "thanks ringbot"). A name in passing ("the ringbot is useful") is
/// not an address.
public struct MentionDetector: Sendable {
    public var userID: String
    public var displayName: String?
    public var prefix: String

    public init(userID: String, displayName: String?, prefix: String) {
        self.userID = userID
        self.displayName = displayName
        self.prefix = prefix
    }

    /// The bot's localpart (`ringbot` for `@ringbot:example.org`).
    public var localpart: String {
        let withoutSigil = userID.hasPrefix("@") ? String(userID.dropFirst()) : userID
        return String(withoutSigil.split(separator: ":", maxSplits: 1).first ?? Substring(withoutSigil))
    }

    /// The cleaned text if the message is addressed to the bot, else `nil`.
    public func addressedText(body: String, formattedBody: String?, mentionedUserIDs: [String]) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !prefix.isEmpty, let rest = Self.dropPrefix(prefix, from: trimmed) {
            return rest
        }
        let html = formattedBody.map(ReplyFallback.stripHTML)
        let explicit = mentionedUserIDs.contains(userID)
            || Self.pillTargets(userID).contains { target in html?.contains(target) ?? false }
        var names = [userID]
        if let html, let pillText = Self.pillText(in: html, for: userID) { names.append(pillText) }
        if let displayName, !displayName.trimmingCharacters(in: .whitespaces).isEmpty { names.append(displayName) }
        names.append(localpart)
        for name in names {
            guard let range = Self.wordRange(of: name, in: trimmed) else { continue }
            if explicit || Self.isAddress(range, in: trimmed) {
                return Self.remove(range, from: trimmed)
            }
        }
        return explicit ? trimmed : nil
    }

    /// Words that may come before the bot's name when it is called by name.
    static let salutations: Set<String> = ["hey", "hi", "hello", "ok", "okay", "yo", "dear", "thanks", "thank", "you", "thx", "bye", "please"]

    /// Whether the name at `range` addresses the bot: at the start (after salutations only),
    /// or last (before punctuation only) after a comma or a salutation.
    static func isAddress(_ range: Range<String.Index>, in text: String) -> Bool {
        let before = text[..<range.lowerBound]
        let wordsBefore = before.split { !isWordCharacter($0) }.map { $0.lowercased() }
        if wordsBefore.allSatisfy(salutations.contains) { return true }
        let after = text[range.upperBound...]
        guard after.allSatisfy({ !isWordCharacter($0) }) else { return false }
        let tail = before.trimmingCharacters(in: .whitespaces)
        return tail.hasSuffix(",") || wordsBefore.last.map(salutations.contains) == true
    }

    /// `text` without `prefix` when it starts with it as a whole word.
    static func dropPrefix(_ prefix: String, from text: String) -> String? {
        guard let range = text.range(of: prefix, options: [.caseInsensitive, .anchored]) else { return nil }
        if range.upperBound < text.endIndex, isWordCharacter(text[range.upperBound]) { return nil }
        return clean(String(text[range.upperBound...]))
    }

    /// The text of the first pill linking to `userID` (e.g. "Bot" in `<a href=".../#/@bot:x">Bot</a>`).
    static func pillText(in html: String, for userID: String) -> String? {
        for target in pillTargets(userID) {
            guard let link = html.range(of: target),
                  let open = html.range(of: ">", range: link.upperBound..<html.endIndex),
                  let close = html.range(of: "</a>", range: open.upperBound..<html.endIndex) else { continue }
            let text = String(html[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            if !text.isEmpty && !text.contains("<") { return text }
        }
        return nil
    }

    /// A pill's link to the user, plain or percent-encoded (clients write both).
    static func pillTargets(_ userID: String) -> [String] {
        ["matrix.to/#/" + userID, "matrix.to/#/" + MatrixPath.encode(userID)]
    }

    /// The first case-insensitive whole-word occurrence of `name` (with an optional leading `@`).
    static func wordRange(of name: String, in text: String) -> Range<String.Index>? {
        var searchStart = text.startIndex
        while let found = text.range(of: name, options: .caseInsensitive, range: searchStart..<text.endIndex) {
            let beforeOK = found.lowerBound == text.startIndex || !isWordCharacter(text[text.index(before: found.lowerBound)])
            let afterOK = found.upperBound == text.endIndex || !isWordCharacter(text[found.upperBound])
            if beforeOK && afterOK {
                var lower = found.lowerBound
                if lower > text.startIndex, text[text.index(before: lower)] == "@" { lower = text.index(before: lower) }
                return lower..<found.upperBound
            }
            searchStart = found.upperBound
        }
        return nil
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// Removes the address and the punctuation that tied it to the sentence ("RingBot: ...", "..., ringbot?").
    static func remove(_ range: Range<String.Index>, from text: String) -> String {
        var before = String(text[..<range.lowerBound])
        var after = String(text[range.upperBound...])
        while let first = after.first, first == ":" || first == "," { after.removeFirst() }
        if before.trimmingCharacters(in: .whitespaces).isEmpty { before = "" }
        while let last = before.last, last == " " || last == "," { before.removeLast() }
        if after.first.map({ !$0.isWhitespace && !$0.isPunctuation }) ?? false, !before.isEmpty { before += " " }
        return clean(before + after)
    }

    private static func clean(_ text: String) -> String {
        var out = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while let first = out.first, first == ":" || first == "," { out.removeFirst() }
        return out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

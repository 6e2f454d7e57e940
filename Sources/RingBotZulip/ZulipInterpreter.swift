import Foundation

/// Decides which Zulip messages are for the bot and cleans their text:
///
/// - the bot's own messages are ignored, and so are other bots' (Zulip gives every bot an
///   email whose local part ends in `-bot`, system bots included), so two bots never talk in a loop;
/// - a direct message is ``ZulipAddressing/direct`` (every one is answered);
/// - a channel message is ``ZulipAddressing/mentioned`` when the server flagged it `mentioned`
///   or it holds a non-silent mention of the bot (`@**RingBot**`, `@**RingBot|8**`), else
///   ``ZulipAddressing/unaddressed``;
/// - the text loses quotes of earlier messages (```` ```quote ```` blocks, `>` lines and the
///   "@_**Name|id** [said](...):" line before them) and every mention of the bot.
public struct ZulipInterpreter: Sendable {
    public let identity: ZulipIdentity

    public init(identity: ZulipIdentity) {
        self.identity = identity
    }

    /// The question in `message`, or `nil` when it is the bot's own or holds no text.
    public func interpret(_ message: ZulipMessage, flags: [String]) -> ZulipQuestion? {
        guard message.senderID != identity.userID, !Self.isBotAddress(message.senderEmail) else { return nil }
        let mentioned = flags.contains("mentioned") || mentionsBot(message.content)
        let text = Self.collapse(removingMentions(Self.removingQuotes(message.content)))
        let room: String
        let thread: String?
        let addressing: ZulipAddressing
        let destination: ZulipDestination
        var streamName: String?
        switch message.recipient {
        case .stream(let id, let name, let topic):
            room = "stream:\(id)"
            thread = topic.lowercased()
            addressing = mentioned ? .mentioned : .unaddressed
            destination = .stream(id: id, topic: topic)
            streamName = name
        case .direct(let participants):
            let others = participants.map(\.id).filter { $0 != identity.userID }.sorted()
            guard !others.isEmpty else { return nil }
            room = "dm:" + others.map(String.init).joined(separator: ",")
            thread = nil
            addressing = .direct
            destination = .direct(userIDs: others)
        }
        if text.isEmpty && addressing == .unaddressed { return nil }
        let target = ZulipReplyTarget(messageID: message.id, destination: destination, askerID: message.senderID,
                                      askerName: message.senderFullName, streamName: streamName,
                                      quotedText: text)
        return ZulipQuestion(id: String(message.id), room: room, sender: String(message.senderID), thread: thread,
                             text: text, sentAt: message.sentAt, addressing: addressing, target: target)
    }

    /// Whether `email` is a bot's: Zulip makes bot emails `<name>-bot@<domain>` (e.g.
    /// `notification-bot@zulip.com`, `ringbot-bot@chat.example.org`).
    static func isBotAddress(_ email: String) -> Bool {
        guard let at = email.lastIndex(of: "@") else { return false }
        return email[..<at].lowercased().hasSuffix("-bot")
    }

    /// Whether `content` holds a non-silent mention of the bot, by name or by id.
    func mentionsBot(_ content: String) -> Bool {
        for match in Self.mentions(in: content) where !match.silent {
            if match.id == identity.userID { return true }
            if match.id == nil && match.name.caseInsensitiveCompare(identity.fullName) == .orderedSame { return true }
        }
        return false
    }

    private func removingMentions(_ content: String) -> String {
        var text = content
        for match in Self.mentions(in: content).reversed() {
            let isBot = match.id == identity.userID
                || (match.id == nil && match.name.caseInsensitiveCompare(identity.fullName) == .orderedSame)
            if isBot { text.replaceSubrange(match.range, with: "") }
        }
        return text
    }

    struct Mention {
        var range: Range<String.Index>
        var silent: Bool
        var name: String
        var id: Int?
    }

    /// Every `@**Name**`, `@**Name|id**` and silent `@_**...**` mention in `content`.
    static func mentions(in content: String) -> [Mention] {
        var found: [Mention] = []
        var index = content.startIndex
        while let at = content[index...].firstIndex(of: "@") {
            var cursor = content.index(after: at)
            var silent = false
            if cursor < content.endIndex, content[cursor] == "_" {
                silent = true
                cursor = content.index(after: cursor)
            }
            guard content[cursor...].hasPrefix("**") else {
                index = content.index(after: at)
                continue
            }
            let nameStart = content.index(cursor, offsetBy: 2)
            guard let close = content[nameStart...].range(of: "**") else { break }
            let inner = String(content[nameStart..<close.lowerBound])
            guard !inner.isEmpty, !inner.contains("\n") else {
                index = content.index(after: at)
                continue
            }
            var name = inner
            var id: Int?
            if let bar = inner.lastIndex(of: "|"), let number = Int(inner[inner.index(after: bar)...]) {
                name = String(inner[..<bar])
                id = number
            }
            found.append(Mention(range: at..<close.upperBound, silent: silent, name: name, id: id))
            index = close.upperBound
        }
        return found
    }

    /// `content` without quoted earlier messages: fenced `quote` blocks, `>` lines, and the
    /// "@_**Name|id** [said](link):" line Zulip's quote-and-reply puts before a quote.
    static func removingQuotes(_ content: String) -> String {
        var kept: [Substring] = []
        var fence: String?
        for line in content.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed == open { fence = nil }
                continue
            }
            if let marker = quoteFence(trimmed) {
                fence = marker
                continue
            }
            if trimmed.hasPrefix(">") { continue }
            if trimmed.hasPrefix("@_**") && trimmed.contains("[said](") && trimmed.hasSuffix("):") { continue }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }

    /// The closing fence of a line that opens a `quote` block (```` ```quote ````, `~~~ quote`), else `nil`.
    private static func quoteFence(_ line: String) -> String? {
        for mark in ["`", "~"] {
            let run = line.prefix { String($0) == mark }
            guard run.count >= 3 else { continue }
            let info = line.dropFirst(run.count).trimmingCharacters(in: .whitespaces).lowercased()
            if info == "quote" { return String(run) }
        }
        return nil
    }

    /// Whitespace runs (including line breaks) as single spaces, trimmed.
    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

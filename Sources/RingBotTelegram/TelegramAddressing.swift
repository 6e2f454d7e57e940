import Foundation

/// Telegram's rules for which messages are for the bot, and what text to answer.
///
/// - Private chat: every text message (`/start` and `/help` ask for help; `/ask question` is the question).
/// - Group, supergroup, forum topic: the commands `/ask ...`, `/help` and `/start` (with or without the
///   `@botname` suffix; a command for another bot is not ours), a mention of `@botname` (or a mention of the
///   bot without a username), and a reply to one of the bot's messages. The command or mention is removed
///   from the text. Anything else is not addressed (with privacy mode on, the server does not even send it).
/// - Never: messages without text (service messages, stickers, photos), messages from bots (including this
///   one), channel posts.
public struct TelegramAddressing: Sendable {
    /// How a message reached the bot.
    public enum Kind: Sendable, Equatable {
        /// A private chat with the bot.
        case direct
        /// In a group: a command, a mention, or a reply to the bot.
        case mentioned
        /// In a group, not for the bot.
        case unaddressed
    }

    /// The verdict on one message.
    public struct Verdict: Sendable, Equatable {
        public var kind: Kind
        /// The text to answer, the command or mention removed.
        public var text: String
    }

    /// The commands the bot answers; others are ignored in groups and answered as text in private chats.
    public static let commands: Set<String> = ["ask", "help", "start"]

    public let bot: TelegramUser

    public init(bot: TelegramUser) {
        self.bot = bot
    }

    /// What to do with `message`; `nil` to ignore it.
    public func verdict(for message: TelegramMessage) -> Verdict? {
        guard var text = message.text, let sender = message.from, !sender.isBot, message.chat.type != "channel" else {
            return nil
        }
        let entities = (message.entities ?? []).sorted { $0.offset < $1.offset }
        let isPrivate = message.chat.isPrivate

        if let first = entities.first, first.type == "bot_command", first.offset == 0,
           let command = Self.substring(text, first) {
            let (name, target) = Self.splitCommand(command)
            if let target, target.lowercased() != (bot.username ?? "").lowercased() { return nil }
            if Self.commands.contains(name.lowercased()) {
                let rest = Self.remove(first, from: text).trimmingCharacters(in: .whitespacesAndNewlines)
                let answer = name.lowercased() == "ask" ? rest : "help"
                return Verdict(kind: isPrivate ? .direct : .mentioned, text: answer)
            }
            guard isPrivate else { return nil }
        }
        if isPrivate { return Verdict(kind: .direct, text: text.trimmingCharacters(in: .whitespacesAndNewlines)) }

        var mentioned = false
        for entity in entities.reversed() where isMention(entity, in: text) {
            text = Self.remove(entity, from: text)
            mentioned = true
        }
        if message.replyToMessage?.from?.id == bot.id { mentioned = true }
        let cleaned = Self.tidy(text)
        return Verdict(kind: mentioned ? .mentioned : .unaddressed, text: mentioned ? cleaned : text)
    }

    private func isMention(_ entity: TelegramEntity, in text: String) -> Bool {
        switch entity.type {
        case "mention":
            guard let username = bot.username, let mention = Self.substring(text, entity) else { return false }
            return mention.lowercased() == "@" + username.lowercased()
        case "text_mention":
            return entity.user?.id == bot.id
        default:
            return false
        }
    }

    /// `/ask@ringbot_bot` → (`ask`, `ringbot_bot`).
    static func splitCommand(_ command: String) -> (String, String?) {
        let body = command.dropFirst()
        guard let at = body.firstIndex(of: "@") else { return (String(body), nil) }
        return (String(body[..<at]), String(body[body.index(after: at)...]))
    }

    /// The text an entity covers (offsets in UTF-16 code units), or `nil` if it is out of range.
    static func substring(_ text: String, _ entity: TelegramEntity) -> String? {
        guard let range = utf16Range(text, entity) else { return nil }
        return String(text[range])
    }

    /// `text` without the entity's characters.
    static func remove(_ entity: TelegramEntity, from text: String) -> String {
        guard let range = utf16Range(text, entity) else { return text }
        var copy = text
        copy.removeSubrange(range)
        return copy
    }

    private static func utf16Range(_ text: String, _ entity: TelegramEntity) -> Range<String.Index>? {
        let utf16 = text.utf16
        guard entity.offset >= 0, entity.length > 0, entity.offset + entity.length <= utf16.count,
              let start = utf16.index(utf16.startIndex, offsetBy: entity.offset, limitedBy: utf16.endIndex),
              let end = utf16.index(start, offsetBy: entity.length, limitedBy: utf16.endIndex),
              let lower = start.samePosition(in: text), let upper = end.samePosition(in: text)
        else { return nil }
        return lower..<upper
    }

    /// Collapses the gap a removed mention leaves ("@bot, my calls" → "my calls").
    static func tidy(_ text: String) -> String {
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        while let first = words.first, first.allSatisfy({ ",:;-".contains($0) }) { words.removeFirst() }
        if let first = words.first, first.count > 1, ",:;".contains(first.first!) { words[0] = String(first.dropFirst()) }
        return words.joined(separator: " ")
    }
}

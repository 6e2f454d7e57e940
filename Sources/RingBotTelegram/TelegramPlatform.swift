import Foundation
import Logging
import RingBotCore
import RingBotRuntime

/// Telegram's wire protocol for the ``RingBotRuntime/ChatRuntime``: `getMe` to connect, a `getUpdates`
/// long poll (only `message` updates) from the runtime's cursor (the next update id), and `sendMessage`
/// replies in HTML, threaded to the question with `reply_parameters` and kept in its forum topic.
///
/// - The offset: the server forgets updates below the offset it is polled with, so each batch is kept in
///   the state store (``TelegramUpdateCache``) until the runtime has saved a cursor past it.
/// - No idempotency key exists for `sendMessage`: a reply in flight at a crash cannot be checked, so the
///   runtime sends it again and logs the possible duplicate (``checkDelivery(of:)`` is `unknown`).
/// - Message ids count per chat: a message's id is `chat:message`.
/// - A group that became a supergroup (`migrate_to_chat_id`) is followed: replies go to the new chat, and
///   its conversations stay filed under the first chat id (``TelegramChatMigrations``).
/// - 429 waits `retry_after`; 5xx and network failures are transient; 401, 404 and 409 stop the bot with
///   one line saying what to do.
public actor TelegramPlatform: ChatPlatform {
    public typealias Target = TelegramTarget

    public nonisolated let platformName = "telegram"

    private let api: TelegramBotAPI
    private let store: StateStore
    private let logger: Logger
    private var addressing: TelegramAddressing?
    private var account: AccountKey?

    /// - Parameters:
    ///   - api: the Bot API client (its token is never logged).
    ///   - store: the state folder's store (for the update cache and chat migrations).
    public init(api: TelegramBotAPI, store: StateStore, logger: Logger) {
        self.api = api
        self.store = store
        self.logger = logger
    }

    // MARK: Connect

    public func connect() async throws -> String {
        let me: TelegramUser
        do {
            me = try await api.getMe()
        } catch {
            throw Self.platformError(error, sending: false)
        }
        addressing = TelegramAddressing(bot: me)
        let account = AccountKey(platform: platformName, account: String(me.id))
        self.account = account
        logger.info("connected to the Bot API", metadata: ["bot": "@\(me.username ?? me.firstName)", "id": "\(me.id)"])
        return account.account
    }

    // MARK: Poll

    public func poll(from cursor: String?, timeout: Duration) async throws -> PollResult<TelegramTarget> {
        guard let account, let addressing else { throw ChatPlatformError.permanent("poll before connect") }
        let cache = TelegramUpdateCache(store: store, account: account)
        guard let cursor, let offset = Int64(cursor) else {
            // First start: what was said before the bot was here is history. offset -1 keeps only the last update.
            let last = try await fetch(offset: -1, timeout: 0).last
            try cache.update(keepingFrom: Int64.max, adding: [])
            return PollResult(messages: [], nextCursor: String((last?.updateID ?? -1) + 1))
        }
        let saved = try store.cursor(for: account).flatMap { Int64($0.cursor) }
        let cached = try cache.update(keepingFrom: saved, adding: []).filter { $0.updateID >= offset }
        // Whole seconds, rounded up: a fraction left of a fragment wait must not become a busy loop of 0 s polls.
        let (whole, fraction) = timeout.components
        let seconds = cached.isEmpty ? Int(whole) + (fraction > 0 ? 1 : 0) : 0
        let fetched = try await fetch(offset: offset, timeout: seconds)
        try cache.update(keepingFrom: saved, adding: fetched)
        var updates = cached
        let known = Set(cached.map(\.updateID))
        updates += fetched.filter { !known.contains($0.updateID) }
        updates.sort { $0.updateID < $1.updateID }
        let next = (updates.last?.updateID).map { max($0 + 1, offset) } ?? offset
        var messages: [InboundMessage<TelegramTarget>] = []
        for update in updates {
            guard let message = update.message else { continue }
            if let inbound = try inbound(message, addressing: addressing, account: account) { messages.append(inbound) }
        }
        return PollResult(messages: messages, nextCursor: String(next))
    }

    private func fetch(offset: Int64, timeout: Int) async throws -> [TelegramUpdate] {
        do {
            return try await api.getUpdates(offset: offset, timeout: timeout)
        } catch {
            throw Self.platformError(error, sending: false)
        }
    }

    /// The runtime's view of one message, or `nil` for messages that are not for the bot.
    private func inbound(_ message: TelegramMessage, addressing: TelegramAddressing,
                         account: AccountKey) throws -> InboundMessage<TelegramTarget>? {
        let migrations = TelegramChatMigrations(store: store, account: account)
        if let new = message.migrateToChatID {
            try migrations.record(from: message.chat.id, to: new)
            logger.notice("a group became a supergroup; following it", metadata: ["from": "\(message.chat.id)", "to": "\(new)"])
        }
        if let old = message.migrateFromChatID {
            try migrations.record(from: old, to: message.chat.id)
        }
        guard let verdict = addressing.verdict(for: message), let sender = message.from else { return nil }
        let kind: Addressing = switch verdict.kind {
        case .direct: .direct
        case .mentioned: .mentioned
        case .unaddressed: .unaddressed
        }
        let topic = message.isTopicMessage == true ? message.messageThreadID : nil
        return InboundMessage(
            id: "\(message.chat.id):\(message.messageID)", room: String(try migrations.firstID(of: message.chat.id)),
            sender: String(sender.id), thread: nil, text: verdict.text,
            sentAt: Date(timeIntervalSince1970: TimeInterval(message.date)), addressing: kind,
            target: TelegramTarget(chatID: message.chat.id, messageID: message.messageID, topicID: topic))
    }

    // MARK: Send

    public func send(_ reply: OutgoingReply<TelegramTarget>) async throws -> String? {
        guard let account else { throw ChatPlatformError.permanent("send before connect") }
        let migrations = TelegramChatMigrations(store: store, account: account)
        let target = reply.inReplyTo.target
        let parts: [String] = switch reply.content {
        case .answer(let document): TelegramHTMLRenderer.messages(document)
        case .notice(let text): TelegramHTMLRenderer.messages(notice: text)
        }
        var lastID: Int64?
        for (index, html) in parts.enumerated() {
            lastID = try await sendPart(html, target: target, migrations: migrations, isFirst: index == 0)
        }
        return lastID.map { "\(target.chatID):\($0)" }
    }

    /// Sends one part. The first part's failures go back to the runtime (nothing was sent yet); later
    /// parts retry here, so a transient failure does not make the runtime send the first part again.
    private func sendPart(_ html: String, target: TelegramTarget, migrations: TelegramChatMigrations,
                          isFirst: Bool) async throws -> Int64 {
        var failures = 0
        while true {
            let chat = try migrations.current(target.chatID)
            // In a migrated chat the question stays behind in the old group: reply without a quote.
            let replyTo = chat == target.chatID ? target.messageID : nil
            do {
                return try await api.sendMessage(chatID: chat, threadID: target.topicID, html: html, replyTo: replyTo).messageID
            } catch .migrated(let new) {
                try migrations.record(from: chat, to: new)
                logger.notice("a group became a supergroup; sending there", metadata: ["from": "\(chat)", "to": "\(new)"])
                continue
            } catch {
                let failure = Self.platformError(error, sending: true)
                guard case .transient(let retryAfter) = failure.kind, !isFirst, failures < 8 else { throw failure }
                failures += 1
                logger.warning("retrying the rest of a long reply", metadata: ["error": "\(failure.description)"])
                try await Task.sleep(for: retryAfter ?? .seconds(min(30, 1 << failures)))
            }
        }
    }

    public func setTyping(_ typing: Bool, for message: InboundMessage<TelegramTarget>) async throws {
        guard typing, let account else { return }
        let chat = try TelegramChatMigrations(store: store, account: account).current(message.target.chatID)
        do {
            try await api.sendTyping(chatID: chat, threadID: message.target.topicID)
        } catch {
            throw Self.platformError(error, sending: true)
        }
    }

    // MARK: Errors

    /// What the runtime should do about a Bot API failure.
    static func platformError(_ error: TelegramAPIError, sending: Bool) -> ChatPlatformError {
        switch error {
        case .unauthorized, .notFound, .conflict:
            return .permanent(error.description)
        case .tooManyRequests(let wait):
            return ChatPlatformError(.transient(retryAfter: wait), error.description)
        case .server:
            return .transient(error.description)
        case .network(let detail, let transient):
            return transient ? .transient(detail) : .permanent(detail)
        case .migrated, .refused:
            return sending ? .rejected(error.description) : .permanent(error.description)
        }
    }
}

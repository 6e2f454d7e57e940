import RingBotRuntime

/// Groups that became supergroups (a new chat id), remembered in the state store so that
/// replies go to the new chat and the conversations keep their state: messages from the new chat
/// are filed under the chat id the bot first knew.
struct TelegramChatMigrations {
    let store: StateStore
    let account: AccountKey

    /// Records that `old` is now `new`.
    func record(from old: Int64, to new: Int64) throws {
        guard old != new else { return }
        try store.setValue(String(new), "telegram.migrated_to.\(old)", for: account)
        if try store.value("telegram.first_id.\(new)", for: account) == nil {
            try store.setValue(String(try firstID(of: old)), "telegram.first_id.\(new)", for: account)
        }
    }

    /// Where a message for `chat` goes now (following every migration).
    func current(_ chat: Int64) throws -> Int64 {
        var id = chat
        for _ in 0..<8 {
            guard let next = try store.value("telegram.migrated_to.\(id)", for: account).flatMap({ Int64($0) }) else { break }
            id = next
        }
        return id
    }

    /// The chat id conversations of `chat` are filed under: the id before any migration.
    func firstID(of chat: Int64) throws -> Int64 {
        try store.value("telegram.first_id.\(chat)", for: account).flatMap { Int64($0) } ?? chat
    }
}

import Foundation
import RingBotRuntime

/// Updates received but not yet covered by the runtime's saved cursor, kept in the state store.
///
/// The Bot API forgets an update as soon as `getUpdates` is called with a higher offset, but the runtime
/// saves its cursor only once every message before it was answered (it keeps polling while a direct
/// chat's fragments wait). Each batch is written here before the runtime sees it, so polling again from
/// the saved cursor after a crash returns those messages from here: nothing the server has forgotten
/// is lost, and the runtime's handled ids keep anything from being answered twice.
struct TelegramUpdateCache {
    static let key = "telegram.unconfirmed_updates"

    let store: StateStore
    let account: AccountKey

    /// The cached updates, oldest first.
    func load() throws -> [TelegramUpdate] {
        guard let text = try store.value(Self.key, for: account) else { return [] }
        return (try? JSONDecoder().decode([TelegramUpdate].self, from: Data(text.utf8))) ?? []
    }

    /// Keeps the updates at or after `savedCursor` plus `new`, and returns them (oldest first).
    @discardableResult
    func update(keepingFrom savedCursor: Int64?, adding new: [TelegramUpdate]) throws -> [TelegramUpdate] {
        let old = try load()
        var merged = old.filter { $0.updateID >= (savedCursor ?? Int64.min) }
        let known = Set(merged.map(\.updateID))
        merged += new.filter { !known.contains($0.updateID) && $0.updateID >= (savedCursor ?? Int64.min) }
        merged.sort { $0.updateID < $1.updateID }
        if merged != old {
            let text = merged.isEmpty ? nil : String(decoding: try JSONEncoder().encode(merged), as: UTF8.self)
            try store.setValue(text, Self.key, for: account)
        }
        return merged
    }
}

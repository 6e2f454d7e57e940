import Foundation
import GRDB
import RingBotCore
#if canImport(Glibc)
import Glibc
#endif

/// The bot's state in one SQLite file (through GRDB, WAL journal), shared by every platform:
/// cursors, handled message ids, conversation states, the outbox, unanswered questions, the
/// threads the bot answered in and a key-value table per account. Every row is keyed by
/// platform and account, so several bots can share one state folder.
///
/// Platform adapters keep their own tables (e.g. Matrix's session) in the same file by
/// registering migrations (``init(path:migrations:)``) and using ``database``.
///
/// The file is created with mode 0600 (it may hold access tokens) and tightened to 0600 if
/// it was more open. Thread-safe: `DatabaseQueue` serialises every access. Journal: WAL
/// with `synchronous = NORMAL` (durable across a crash of the process).
public final class StateStore: Sendable {
    /// The database, for adapters' own tables (their migrations are registered at init).
    public let database: DatabaseQueue

    /// Registers an adapter's migrations after the runtime's (identifiers must be unique,
    /// e.g. prefixed with the platform name: `matrix-v1`).
    public typealias Migrations = @Sendable (inout DatabaseMigrator) -> Void

    /// Opens (creating with mode 0600 if needed) the database at `path` and migrates it.
    public init(path: String, migrations: Migrations? = nil) throws {
        try Self.restrictMode(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        // In WAL mode NORMAL keeps every committed transaction across a crash or SIGKILL of the
        // bot (only a power loss may drop the last ones) and saves an fsync per transaction.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator(migrations).migrate(database)
    }

    /// An in-memory database, for tests.
    public init(migrations: Migrations? = nil) throws {
        database = try DatabaseQueue()
        try Self.migrator(migrations).migrate(database)
    }

    /// Creates the file with mode 0600, or takes group and other permissions off an existing one.
    static func restrictMode(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StateStoreError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & 0o077 != 0 {
            _ = fchmod(fd, 0o600)
        }
    }

    static func migrator(_ extra: Migrations?) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("runtime-v1") { db in
            try db.execute(sql: """
                CREATE TABLE runtime_value (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE account_value (
                    platform TEXT NOT NULL, account TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (platform, account, key));
                CREATE TABLE cursor (
                    platform TEXT NOT NULL, account TEXT NOT NULL, cursor TEXT NOT NULL, saved_at REAL NOT NULL,
                    PRIMARY KEY (platform, account));
                CREATE TABLE handled_message (
                    platform TEXT NOT NULL, account TEXT NOT NULL, message_id TEXT NOT NULL, handled_at REAL NOT NULL,
                    PRIMARY KEY (platform, account, message_id));
                CREATE INDEX handled_message_time ON handled_message(handled_at);
                CREATE TABLE conversation_state (
                    platform TEXT NOT NULL, account TEXT NOT NULL, room TEXT NOT NULL, user TEXT NOT NULL,
                    state_json TEXT NOT NULL, updated_at REAL NOT NULL,
                    PRIMARY KEY (platform, account, room, user));
                CREATE TABLE unanswered_question (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    platform TEXT NOT NULL, account TEXT NOT NULL,
                    asked_at REAL NOT NULL, sender_hash TEXT NOT NULL, text TEXT NOT NULL,
                    best_guess TEXT NOT NULL, confidence REAL NOT NULL);
                CREATE TABLE outbox (
                    platform TEXT NOT NULL, account TEXT NOT NULL, key TEXT NOT NULL,
                    room TEXT NOT NULL, user TEXT NOT NULL, message_ids TEXT NOT NULL, created_at REAL NOT NULL,
                    PRIMARY KEY (platform, account, key));
                CREATE TABLE answered_thread (
                    platform TEXT NOT NULL, account TEXT NOT NULL, room TEXT NOT NULL, thread TEXT NOT NULL,
                    answered_at REAL NOT NULL,
                    PRIMARY KEY (platform, account, room, thread));
                """)
            try LegacyMatrixState.adopt(db)
        }
        extra?(&migrator)
        return migrator
    }

    // MARK: Values

    /// A value of the whole store (e.g. the sender salt).
    func runtimeValue(_ key: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM runtime_value WHERE key = ?", arguments: [key])
        }
    }

    /// An adapter's value for one account (e.g. a filter id, a queue id), or `nil`.
    public func value(_ key: String, for account: AccountKey) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM account_value WHERE platform = ? AND account = ? AND key = ?",
                                arguments: [account.platform, account.account, key])
        }
    }

    /// Stores (or, with `nil`, removes) an adapter's value for one account.
    public func setValue(_ value: String?, _ key: String, for account: AccountKey) throws {
        try database.write { db in
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO account_value (platform, account, key, value) VALUES (?, ?, ?, ?)",
                               arguments: [account.platform, account.account, key, value])
            } else {
                try db.execute(sql: "DELETE FROM account_value WHERE platform = ? AND account = ? AND key = ?",
                               arguments: [account.platform, account.account, key])
            }
        }
    }

    // MARK: Cursor

    /// The saved cursor of an account and when it was saved, or `nil` before the first save.
    public func cursor(for account: AccountKey) throws -> (cursor: String, savedAt: Date)? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT cursor, saved_at FROM cursor WHERE platform = ? AND account = ?",
                             arguments: [account.platform, account.account])
                .map { ($0["cursor"], Date(timeIntervalSince1970: $0["saved_at"])) }
        }
    }

    /// Saves the cursor; call only once every message before it was answered or recorded.
    public func saveCursor(_ cursor: String, for account: AccountKey, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO cursor (platform, account, cursor, saved_at) VALUES (?, ?, ?, ?)",
                           arguments: [account.platform, account.account, cursor, date.timeIntervalSince1970])
        }
    }

    /// How many accounts of `platform` have a saved cursor (0: this is the platform's first start here).
    public func cursorCount(platform: String) throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cursor WHERE platform = ?", arguments: [platform]) ?? 0
        }
    }

    /// Forgets the cursor (the platform no longer accepts it): the next start is a first start.
    public func clearCursor(for account: AccountKey) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM cursor WHERE platform = ? AND account = ?",
                           arguments: [account.platform, account.account])
        }
    }

    // MARK: Conversations

    /// The stored state of a conversation, or `nil` for a new one (or one stored by an
    /// incompatible version: it starts afresh).
    public func conversationState(for key: ConversationKey) throws -> ConversationState? {
        let json = try database.read { db in
            try String.fetchOne(db, sql: """
                SELECT state_json FROM conversation_state WHERE platform = ? AND account = ? AND room = ? AND user = ?
                """, arguments: [key.platform, key.account, key.room, key.user])
        }
        guard let json else { return nil }
        return try? JSONDecoder().decode(ConversationState.self, from: Data(json.utf8))
    }

    /// Stores a turn in one transaction: the new state, the handled ids, the unanswered
    /// questions, the answered thread, and removes its outbox entry. Called only after the
    /// reply was delivered, so a crash before it replays the turn from the old state.
    public func commit(_ turn: CompletedTurn) throws {
        let key = turn.conversation
        let time = turn.completedAt.timeIntervalSince1970
        let json = try turn.state.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try database.write { db in
            if let json {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO conversation_state (platform, account, room, user, state_json, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [key.platform, key.account, key.room, key.user, json, time])
            }
            for id in turn.messageIDs {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO handled_message (platform, account, message_id, handled_at) VALUES (?, ?, ?, ?)
                    """, arguments: [key.platform, key.account, id, time])
            }
            for question in turn.unanswered {
                try db.execute(sql: """
                    INSERT INTO unanswered_question (platform, account, asked_at, sender_hash, text, best_guess, confidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [key.platform, key.account, question.askedAt.timeIntervalSince1970,
                                     question.senderHash, question.text, question.bestGuess, question.confidence])
            }
            if let outboxKey = turn.outboxKey {
                try db.execute(sql: "DELETE FROM outbox WHERE platform = ? AND account = ? AND key = ?",
                               arguments: [key.platform, key.account, outboxKey])
            }
            if let thread = turn.answeredThread {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO answered_thread (platform, account, room, thread, answered_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [key.platform, key.account, key.room, thread, time])
            }
        }
    }

    // MARK: Handled messages

    /// Whether a message of `account` was already answered or recorded.
    public func isHandled(_ messageID: String, for account: AccountKey) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM handled_message WHERE platform = ? AND account = ? AND message_id = ?
                """, arguments: [account.platform, account.account, messageID]) ?? false
        }
    }

    /// Forgets handled ids older than `date` (no platform replays messages that old).
    public func pruneHandled(before date: Date) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM handled_message WHERE handled_at < ?", arguments: [date.timeIntervalSince1970])
        }
    }

    // MARK: Threads

    /// Whether the bot has replied in `thread` of `room`.
    public func isThreadAnswered(_ thread: String, room: String, for account: AccountKey) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM answered_thread WHERE platform = ? AND account = ? AND room = ? AND thread = ?
                """, arguments: [account.platform, account.account, room, thread]) ?? false
        }
    }

    // MARK: Outbox

    /// Records a reply about to be sent.
    public func recordOutgoing(_ entry: OutboxEntry) throws {
        let key = entry.conversation
        let ids = String(decoding: try JSONEncoder().encode(entry.messageIDs), as: UTF8.self)
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO outbox (platform, account, key, room, user, message_ids, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [key.platform, key.account, entry.key, key.room, key.user, ids,
                                 entry.createdAt.timeIntervalSince1970])
        }
    }

    /// The replies of `account` recorded but not known to be delivered, oldest first.
    public func outbox(for account: AccountKey) throws -> [OutboxEntry] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT key, room, user, message_ids, created_at FROM outbox WHERE platform = ? AND account = ?
                ORDER BY created_at
                """, arguments: [account.platform, account.account]).map { row in
                let ids = (try? JSONDecoder().decode([String].self, from: Data((row["message_ids"] as String).utf8))) ?? []
                return OutboxEntry(conversation: account.conversation(room: row["room"], user: row["user"]),
                                   key: row["key"], messageIDs: ids,
                                   createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// Drops an outbox entry without a turn (the reply was refused for good).
    public func removeOutgoing(key: String, for account: AccountKey) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM outbox WHERE platform = ? AND account = ? AND key = ?",
                           arguments: [account.platform, account.account, key])
        }
    }

    // MARK: Unanswered questions

    /// The pseudonymizer for sender ids (its salt is made once per store).
    public func senderPseudonymizer() throws -> SenderPseudonymizer {
        if let salt = try runtimeValue("sender_salt") { return SenderPseudonymizer(salt: salt) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO runtime_value (key, value) VALUES ('sender_salt', ?)", arguments: [salt])
        }
        return SenderPseudonymizer(salt: try runtimeValue("sender_salt") ?? salt)
    }

    /// Every unanswered question (of one platform, when given), oldest first.
    public func unansweredQuestions(platform: String? = nil) throws -> [UnansweredQuestion] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT platform, asked_at, sender_hash, text, best_guess, confidence FROM unanswered_question
                WHERE ? IS NULL OR platform = ? ORDER BY asked_at, id
                """, arguments: [platform, platform]).map {
                UnansweredQuestion(text: $0["text"], askedAt: Date(timeIntervalSince1970: $0["asked_at"]),
                                   senderHash: $0["sender_hash"], bestGuess: $0["best_guess"],
                                   confidence: $0["confidence"], platform: $0["platform"])
            }
        }
    }
}

/// A problem opening the state store, as one line.
public struct StateStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// State files written by the Matrix-only versions (migration `v1`): their generic tables
/// are moved into the runtime's, keyed by platform `matrix` and the stored session's user.
enum LegacyMatrixState {
    static func adopt(_ db: Database) throws {
        guard try db.tableExists("handled_event") else { return }
        let account = try String.fetchOne(db, sql: "SELECT user_id FROM session WHERE id = 1") ?? ""
        let arguments: StatementArguments = ["matrix", account]
        try db.execute(sql: """
            INSERT OR IGNORE INTO handled_message (platform, account, message_id, handled_at)
            SELECT ?, ?, event_id, handled_at FROM handled_event;
            """, arguments: arguments)
        try db.execute(sql: """
            INSERT OR IGNORE INTO conversation_state (platform, account, room, user, state_json, updated_at)
            SELECT ?, ?, room_id, user_id, state_json, updated_at FROM conversation;
            """, arguments: arguments)
        try db.execute(sql: """
            INSERT INTO unanswered_question (platform, account, asked_at, sender_hash, text, best_guess, confidence)
            SELECT ?, ?, asked_at, sender_hash, text, best_guess, confidence FROM unanswered ORDER BY id;
            """, arguments: arguments)
        try db.execute(sql: """
            INSERT OR IGNORE INTO runtime_value (key, value) SELECT key, value FROM setting WHERE key = 'sender_salt';
            INSERT OR IGNORE INTO account_value (platform, account, key, value)
                SELECT 'matrix', (SELECT user_id FROM session WHERE id = 1), key, value FROM setting
                WHERE key LIKE 'filter:%' AND EXISTS (SELECT 1 FROM session);
            """)
        if let position = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'next_batch'"), !account.isEmpty {
            let savedAt = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'next_batch_at'")
                .flatMap(Double.init) ?? Date().timeIntervalSince1970
            try db.execute(sql: "INSERT OR REPLACE INTO cursor (platform, account, cursor, saved_at) VALUES ('matrix', ?, ?, ?)",
                           arguments: [account, position, savedAt])
        }
        try db.execute(sql: "DROP TABLE handled_event; DROP TABLE conversation; DROP TABLE unanswered; DROP TABLE setting;")
    }
}

import Foundation
import GRDB
import RingBotCore
import RingBotRuntime

/// The bot's state in `STATE_DIR/ringbot.sqlite` (SQLite through GRDB, WAL journal):
/// the session, the sync position, handled event ids, conversation states,
/// unanswered questions and the encrypted rooms already told they are unsupported.
///
/// Thread-safe: `DatabaseQueue` serialises every access.
public final class StateStore: ConversationStore, Sendable {
    private let database: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    /// An in-memory database, for tests.
    public init() throws {
        database = try DatabaseQueue()
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE session (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    user_id TEXT NOT NULL,
                    device_id TEXT,
                    access_token TEXT NOT NULL,
                    homeserver TEXT NOT NULL);
                CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE handled_event (event_id TEXT PRIMARY KEY, handled_at REAL NOT NULL);
                CREATE INDEX handled_event_time ON handled_event(handled_at);
                CREATE TABLE conversation (
                    room_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    state_json TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (room_id, user_id));
                CREATE TABLE unanswered (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    asked_at REAL NOT NULL,
                    sender_hash TEXT NOT NULL,
                    text TEXT NOT NULL,
                    best_guess TEXT NOT NULL,
                    confidence REAL NOT NULL);
                CREATE TABLE encrypted_room (room_id TEXT PRIMARY KEY, notified_at REAL NOT NULL);
                """)
        }
        return migrator
    }

    // MARK: Session

    /// The stored session, if any.
    public func session() throws -> MatrixSession? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT user_id, device_id, access_token, homeserver FROM session WHERE id = 1")
                .map { MatrixSession(userID: $0["user_id"], deviceID: $0["device_id"],
                                     accessToken: $0["access_token"], homeserver: $0["homeserver"]) }
        }
    }

    /// Replaces the stored session.
    public func saveSession(_ session: MatrixSession) throws {
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO session (id, user_id, device_id, access_token, homeserver)
                VALUES (1, ?, ?, ?, ?)
                """, arguments: [session.userID, session.deviceID, session.accessToken, session.homeserver])
        }
    }

    /// Forgets the session (its token was rejected). The sync position stays.
    public func clearSession() throws {
        try database.write { db in try db.execute(sql: "DELETE FROM session") }
    }

    // MARK: Key-value settings (sync position, filter id, salt)

    func value(_ key: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
        }
    }

    func setValue(_ value: String?, for key: String) throws {
        try database.write { db in
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key])
            }
        }
    }

    /// The `next_batch` of the last fully handled sync, or `nil` before the first one.
    public func syncPosition() throws -> String? { try value("next_batch") }

    /// Stores the sync position; call only after every reply of that batch was sent.
    /// Also records when (`at`), to bound the back-fill of a cut timeline.
    public func saveSyncPosition(_ nextBatch: String, at date: Date = Date()) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO setting (key, value) VALUES ('next_batch', ?), ('next_batch_at', ?)",
                           arguments: [nextBatch, String(date.timeIntervalSince1970)])
        }
    }

    /// When the sync position was last saved.
    public func syncPositionTime() throws -> Date? {
        try value("next_batch_at").flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
    }

    /// The uploaded filter id for `key` (the filter's user and definition), if any.
    public func filterID(for key: String) throws -> String? { try value("filter:" + key) }

    /// Stores the id of the filter uploaded for `key`.
    public func saveFilterID(_ id: String, for key: String) throws { try setValue(id, for: "filter:" + key) }

    // MARK: Encrypted rooms

    /// Whether the room was already told that encryption is not supported.
    public func isEncryptedRoomNotified(_ roomID: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM encrypted_room WHERE room_id = ?", arguments: [roomID]) ?? false
        }
    }

    public func markEncryptedRoomNotified(_ roomID: String, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO encrypted_room (room_id, notified_at) VALUES (?, ?)",
                           arguments: [roomID, date.timeIntervalSince1970])
        }
    }

    // MARK: Handled events

    /// Remembers an event id without a conversation turn (e.g. a "slow down" notice was sent for it).
    public func markHandled(eventID: String, at date: Date) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO handled_event (event_id, handled_at) VALUES (?, ?)",
                           arguments: [eventID, date.timeIntervalSince1970])
        }
    }

    /// Forgets handled event ids older than `date` (sync never replays events that old).
    public func pruneHandledEvents(before date: Date) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM handled_event WHERE handled_at < ?", arguments: [date.timeIntervalSince1970])
        }
    }

    // MARK: ConversationStore

    public func conversationState(for key: ConversationKey) throws -> ConversationState? {
        let json = try database.read { db in
            try String.fetchOne(db, sql: "SELECT state_json FROM conversation WHERE room_id = ? AND user_id = ?",
                                arguments: [key.room, key.user])
        }
        guard let json else { return nil }
        // A state written by an older, incompatible version starts the conversation afresh.
        return try? JSONDecoder().decode(ConversationState.self, from: Data(json.utf8))
    }

    public func commit(_ turn: CompletedTurn) throws {
        let json = String(decoding: try JSONEncoder().encode(turn.state), as: UTF8.self)
        let time = turn.completedAt.timeIntervalSince1970
        try database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO conversation (room_id, user_id, state_json, updated_at) VALUES (?, ?, ?, ?)
                """, arguments: [turn.conversation.room, turn.conversation.user, json, time])
            try db.execute(sql: "INSERT OR IGNORE INTO handled_event (event_id, handled_at) VALUES (?, ?)",
                           arguments: [turn.messageID, time])
            if let question = turn.unanswered {
                try db.execute(sql: """
                    INSERT INTO unanswered (asked_at, sender_hash, text, best_guess, confidence) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [question.askedAt.timeIntervalSince1970, question.senderHash, question.text,
                                     question.bestGuess, question.confidence])
            }
        }
    }

    public func isHandled(messageID: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM handled_event WHERE event_id = ?", arguments: [messageID]) ?? false
        }
    }

    public func senderPseudonymizer() throws -> SenderPseudonymizer {
        if let salt = try value("sender_salt") { return SenderPseudonymizer(salt: salt) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO setting (key, value) VALUES ('sender_salt', ?)", arguments: [salt])
        }
        return SenderPseudonymizer(salt: try value("sender_salt") ?? salt)
    }

    /// Every unanswered question, oldest first.
    public func unansweredQuestions() throws -> [UnansweredQuestion] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT asked_at, sender_hash, text, best_guess, confidence FROM unanswered ORDER BY asked_at, id
                """).map {
                UnansweredQuestion(text: $0["text"], askedAt: Date(timeIntervalSince1970: $0["asked_at"]),
                                   senderHash: $0["sender_hash"], bestGuess: $0["best_guess"],
                                   confidence: $0["confidence"])
            }
        }
    }
}

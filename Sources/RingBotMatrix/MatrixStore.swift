import Foundation
import GRDB
import RingBotRuntime

/// Matrix's own state, in tables of its own beside the runtime's in the shared
/// ``RingBotRuntime/StateStore``: the login session (its access token is a secret, never
/// logged) and the encrypted rooms already told they are not supported. The filter ids
/// are the account's values in the runtime's key-value table.
public struct MatrixStore: Sendable {
    public let store: StateStore

    /// Register with ``RingBotRuntime/StateStore/init(path:migrations:)`` (or
    /// ``RingBotRuntime/StateFolder``) so the Matrix tables exist.
    public static let migrations: StateStore.Migrations = { migrator in
        // `IF NOT EXISTS`: state folders of the Matrix-only versions already have both tables.
        migrator.registerMigration("matrix-v1") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS session (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    user_id TEXT NOT NULL,
                    device_id TEXT,
                    access_token TEXT NOT NULL,
                    homeserver TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS encrypted_room (room_id TEXT PRIMARY KEY, notified_at REAL NOT NULL);
                """)
        }
    }

    public init(_ store: StateStore) {
        self.store = store
    }

    /// An in-memory store with the Matrix tables, for tests.
    public static func inMemory() throws -> MatrixStore {
        MatrixStore(try StateStore(migrations: migrations))
    }

    // MARK: Session

    /// The stored session, if any.
    public func session() throws -> MatrixSession? {
        try store.database.read { db in
            try Row.fetchOne(db, sql: "SELECT user_id, device_id, access_token, homeserver FROM session WHERE id = 1")
                .map { MatrixSession(userID: $0["user_id"], deviceID: $0["device_id"],
                                     accessToken: $0["access_token"], homeserver: $0["homeserver"]) }
        }
    }

    /// Replaces the stored session.
    public func saveSession(_ session: MatrixSession) throws {
        try store.database.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO session (id, user_id, device_id, access_token, homeserver)
                VALUES (1, ?, ?, ?, ?)
                """, arguments: [session.userID, session.deviceID, session.accessToken, session.homeserver])
        }
    }

    /// Forgets the session (its token was rejected). The cursor stays.
    public func clearSession() throws {
        try store.database.write { db in try db.execute(sql: "DELETE FROM session") }
    }

    // MARK: Encrypted rooms

    /// Whether the room was already told that encryption is not supported.
    public func isEncryptedRoomNotified(_ roomID: String) throws -> Bool {
        try store.database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM encrypted_room WHERE room_id = ?", arguments: [roomID]) ?? false
        }
    }

    public func markEncryptedRoomNotified(_ roomID: String, at date: Date) throws {
        try store.database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO encrypted_room (room_id, notified_at) VALUES (?, ?)",
                           arguments: [roomID, date.timeIntervalSince1970])
        }
    }
}

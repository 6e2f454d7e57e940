import Foundation
import GRDB
import Testing
import RingBotCore
import RingBotRuntime

@Suite final class StateStoreTests {
    private var made: [String] = []
    let account = AccountKey(platform: "matrix", account: "@bot:x")

    deinit {
        for path in made { try? FileManager.default.removeItem(atPath: path) }
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.append(path)
        return path
    }

    @Test func keepsCursorsConversationsAndHandledIdsAcrossReopeningPerAccount() throws {
        let path = try temporaryDirectory() + "/ringbot.sqlite"
        let key = account.conversation(room: "!r:x", user: "@alice:x")
        do {
            let store = try StateStore(path: path)
            try store.saveCursor("s1", for: account, at: Date(timeIntervalSince1970: 5))
            try store.commit(CompletedTurn(conversation: key, messageIDs: ["$1", "$2"],
                                           state: ConversationState(topic: "stuck_on_calling", platform: .ios),
                                           completedAt: Date()))
        }
        let store = try StateStore(path: path)
        #expect(try store.cursor(for: account)?.cursor == "s1")
        #expect(try store.cursor(for: account)?.savedAt == Date(timeIntervalSince1970: 5))
        #expect(try store.cursor(for: AccountKey(platform: "telegram", account: "@bot:x")) == nil)
        #expect(try store.conversationState(for: key)?.topic == "stuck_on_calling")
        #expect(try store.conversationState(for: key)?.platform == .ios)
        #expect(try store.isHandled("$1", for: account) && store.isHandled("$2", for: account))
        #expect(try !store.isHandled("$1", for: AccountKey(platform: "zulip", account: "@bot:x")))
        #expect(try store.conversationState(for: account.conversation(room: "!r:x", user: "@bob:x")) == nil)
    }

    @Test func theStateFileIsCreatedReadableOnlyByItsOwnerAndTightenedIfItWasNot() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/ringbot.sqlite"
        _ = try StateStore(path: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        _ = try StateStore(path: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func aFolderOthersCanReadGetsAWarningAndItsFilesStayPrivate() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        let folder = try StateFolder(path: directory)
        #expect(folder.warnings.count == 1)
        #expect(folder.warnings.first?.contains("chmod 700 \(directory)") == true)
        for name in ["ringbot.sqlite", "lock"] {
            #expect(try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.posixPermissions] as? Int == 0o600)
        }
        let own = try temporaryDirectory() + "/new"
        #expect(try StateFolder(path: own).warnings.isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: own)[.posixPermissions] as? Int == 0o700)
    }

    @Test func theOutboxKeepsARecordedReplyUntilItsTurnIsCommitted() throws {
        let store = try StateStore()
        let key = account.conversation(room: "!r", user: "@u")
        try store.recordOutgoing(OutboxEntry(conversation: key, key: "k1", messageIDs: ["$1", "$2"], createdAt: Date()))
        #expect(try store.outbox(for: account).map(\.messageIDs) == [["$1", "$2"]])
        try store.commit(CompletedTurn(conversation: key, messageIDs: ["$1", "$2"], state: nil, outboxKey: "k1",
                                       completedAt: Date()))
        #expect(try store.outbox(for: account).isEmpty)
        #expect(try store.conversationState(for: key) == nil)   // a turn without state leaves it alone
    }

    @Test func recordsUnansweredQuestionsPerPlatformAndKeepsOneSalt() throws {
        let store = try StateStore()
        let salt = try store.senderPseudonymizer().salt
        #expect(salt.count == 32)
        #expect(try store.senderPseudonymizer().salt == salt)
        let question = UnansweredQuestion(text: "what?", askedAt: Date(timeIntervalSince1970: 100), senderHash: "h",
                                          bestGuess: "out_of_scope", confidence: 0.2, platform: "matrix")
        try store.commit(CompletedTurn(conversation: account.conversation(room: "!r", user: "@u"), messageIDs: ["$1"],
                                       state: ConversationState(), unanswered: [question], completedAt: Date()))
        #expect(try store.unansweredQuestions() == [question])
        #expect(try store.unansweredQuestions(platform: "matrix") == [question])
        #expect(try store.unansweredQuestions(platform: "telegram").isEmpty)
    }

    @Test func prunesOldHandledIdsAndRemembersAnsweredThreads() throws {
        let store = try StateStore()
        let key = account.conversation(room: "!r", user: "@u")
        try store.commit(CompletedTurn(conversation: key, messageIDs: ["$old"], state: nil, completedAt: Date(timeIntervalSince1970: 10)))
        try store.commit(CompletedTurn(conversation: key, messageIDs: ["$new"], state: nil, answeredThread: "$root",
                                       completedAt: Date()))
        try store.pruneHandled(before: Date(timeIntervalSince1970: 1000))
        #expect(try !store.isHandled("$old", for: account))
        #expect(try store.isHandled("$new", for: account))
        #expect(try store.isThreadAnswered("$root", room: "!r", for: account))
        #expect(try !store.isThreadAnswered("$root", room: "!other", for: account))
    }

    /// A state file of the Matrix-only versions (schema `v1`) is adopted: its rows move to the
    /// runtime's tables under platform `matrix` and the stored session's user.
    @Test func aMatrixOnlyStateFileIsAdopted() throws {
        let path = try temporaryDirectory() + "/ringbot.sqlite"
        do {
            let old = try DatabaseQueue(path: path)
            try old.write { db in
                try db.execute(sql: """
                    CREATE TABLE session (id INTEGER PRIMARY KEY CHECK (id = 1), user_id TEXT NOT NULL, device_id TEXT,
                        access_token TEXT NOT NULL, homeserver TEXT NOT NULL);
                    CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE handled_event (event_id TEXT PRIMARY KEY, handled_at REAL NOT NULL);
                    CREATE TABLE conversation (room_id TEXT NOT NULL, user_id TEXT NOT NULL, state_json TEXT NOT NULL,
                        updated_at REAL NOT NULL, PRIMARY KEY (room_id, user_id));
                    CREATE TABLE unanswered (id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at REAL NOT NULL,
                        sender_hash TEXT NOT NULL, text TEXT NOT NULL, best_guess TEXT NOT NULL, confidence REAL NOT NULL);
                    CREATE TABLE encrypted_room (room_id TEXT PRIMARY KEY, notified_at REAL NOT NULL);
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1');
                    INSERT INTO session VALUES (1, '@bot:x', 'D', 'T', 'https://x');
                    INSERT INTO setting VALUES ('next_batch', 's9'), ('next_batch_at', '50'), ('sender_salt', 'salty');
                    INSERT INTO handled_event VALUES ('$h', 40);
                    INSERT INTO conversation VALUES ('!r', '@alice:x', '{"topic":"stuck_on_calling","fixesGiven":[],"pendingChoice":[]}', 40);
                    INSERT INTO unanswered (asked_at, sender_hash, text, best_guess, confidence) VALUES (30, 'h', 'pizza?', 'out_of_scope', 0.1);
                    """)
            }
        }
        let store = try StateStore(path: path)
        #expect(try store.cursor(for: account)?.cursor == "s9")
        #expect(try store.isHandled("$h", for: account))
        #expect(try store.conversationState(for: account.conversation(room: "!r", user: "@alice:x"))?.topic == "stuck_on_calling")
        #expect(try store.unansweredQuestions().map(\.text) == ["pizza?"])
        #expect(try store.senderPseudonymizer().salt == "salty")
    }

    @Test func aSecondLockOnTheSameFolderFailsNamingTheHolder() throws {
        let directory = try temporaryDirectory()
        do {
            let first = try StateDirectoryLock(directory: directory)
            #expect {
                _ = try StateDirectoryLock(directory: directory)
            } throws: { error in
                "\(error)".contains("pid \(getpid())") && "\(error)".contains(directory)
            }
            withExtendedLifetime(first) {}
        }
        _ = try StateDirectoryLock(directory: directory)  // released by deinit
    }
}

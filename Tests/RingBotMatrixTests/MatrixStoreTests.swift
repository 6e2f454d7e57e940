import Foundation
import Testing
import RingBotRuntime
@testable import RingBotMatrix

@Suite struct MatrixStoreTests {
    @Test func keepsTheSessionAndTheEncryptedRoomsBesideTheRuntimesTables() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-matrix-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let session = MatrixSession(userID: "@bot:x", deviceID: "D", accessToken: "T", homeserver: "https://x")
        do {
            let store = MatrixStore(try StateStore(path: path, migrations: MatrixStore.migrations))
            try store.saveSession(session)
            try store.markEncryptedRoomNotified("!e:x", at: Date())
        }
        let store = MatrixStore(try StateStore(path: path, migrations: MatrixStore.migrations))
        #expect(try store.session() == session)
        #expect(try store.isEncryptedRoomNotified("!e:x"))
        #expect(try !store.isEncryptedRoomNotified("!other:x"))
        try store.clearSession()
        #expect(try store.session() == nil)
    }
}

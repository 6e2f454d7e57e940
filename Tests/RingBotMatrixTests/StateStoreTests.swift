import Foundation
import Testing
import RingBotCore
import RingBotRuntime
@testable import RingBotMatrix

@Suite final class StateStoreTests {
    private var made: [String] = []

    deinit {
        for path in made { try? FileManager.default.removeItem(atPath: path) }
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.append(path)
        return path
    }

    @Test func keepsSessionPositionAndConversationsAcrossReopening() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/ringbot.sqlite"
        let key = ConversationKey(room: "!r:x", user: "@alice:x")
        do {
            let store = try StateStore(path: path)
            try store.saveSession(MatrixSession(userID: "@bot:x", deviceID: "D", accessToken: "T", homeserver: "https://x"))
            try store.saveSyncPosition("s1")
            try store.commit(CompletedTurn(conversation: key, messageID: "$1",
                                           state: ConversationState(topic: "stuck_on_calling", platform: .ios),
                                           unanswered: nil, completedAt: Date()))
        }
        let store = try StateStore(path: path)
        #expect(try store.session() == MatrixSession(userID: "@bot:x", deviceID: "D", accessToken: "T", homeserver: "https://x"))
        #expect(try store.syncPosition() == "s1")
        #expect(try store.conversationState(for: key)?.topic == "stuck_on_calling")
        #expect(try store.conversationState(for: key)?.platform == .ios)
        #expect(try store.isHandled(messageID: "$1"))
        #expect(try !store.isHandled(messageID: "$2"))
        #expect(try store.conversationState(for: ConversationKey(room: "!r:x", user: "@bob:x")) == nil)
        try store.clearSession()
        #expect(try store.session() == nil)
    }

    @Test func recordsUnansweredQuestionsAndKeepsOneSalt() throws {
        let store = try StateStore()
        let salt = try store.senderPseudonymizer().salt
        #expect(try store.senderPseudonymizer().salt == salt)
        let question = UnansweredQuestion(text: "what?", askedAt: Date(timeIntervalSince1970: 100), senderHash: "h",
                                          bestGuess: "out_of_scope", confidence: 0.2)
        try store.commit(CompletedTurn(conversation: ConversationKey(room: "!r", user: "@u"), messageID: "$1",
                                       state: ConversationState(), unanswered: question, completedAt: Date()))
        #expect(try store.unansweredQuestions() == [question])
    }

    @Test func remembersEncryptedRoomsAndPrunesOldHandledEvents() throws {
        let store = try StateStore()
        #expect(try !store.isEncryptedRoomNotified("!e:x"))
        try store.markEncryptedRoomNotified("!e:x", at: Date())
        #expect(try store.isEncryptedRoomNotified("!e:x"))
        try store.markHandled(eventID: "$old", at: Date(timeIntervalSince1970: 10))
        try store.markHandled(eventID: "$new", at: Date())
        try store.pruneHandledEvents(before: Date(timeIntervalSince1970: 1000))
        #expect(try !store.isHandled(messageID: "$old"))
        #expect(try store.isHandled(messageID: "$new"))
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

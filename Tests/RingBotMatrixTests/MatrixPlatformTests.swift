import Foundation
import Logging
import Testing
import RingBotHTTP
import RingBotCore
import RingBotRuntime
import RingBotTestSupport
import Synchronization
@testable import RingBotMatrix

/// A scripted homeserver: answers by path, serves the given sync answers in order
/// and, when they run out, asks the bot to stop and waits to be cancelled.
final class FakeHomeserver: Sendable {
    private struct State {
        var syncs: [JSONValue]
        var sent: [(url: String, content: JSONValue)] = []
        var tokenValid = true
        var logins = 0
        var typing: [String] = []
        var whenIdle: (@Sendable () -> Void)?
        var pages: [JSONValue] = []
    }

    private final class Shared: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let shared: Shared
    let transport: FakeTransport

    init(syncs: [JSONValue]) {
        let shared = Shared(State(syncs: syncs))
        self.shared = shared
        transport = FakeTransport { request, _ in try await Self.answer(request, shared) }
    }

    /// Called when the scripted syncs have run out (tests stop the runtime there).
    var whenIdle: (@Sendable () -> Void)? {
        get { shared.state.withLock { $0.whenIdle } }
        set { shared.state.withLock { $0.whenIdle = newValue } }
    }
    /// Answers to `/messages`, in order.
    var pages: [JSONValue] {
        get { shared.state.withLock { $0.pages } }
        set { shared.state.withLock { $0.pages = newValue } }
    }
    var sentMessages: [(url: String, content: JSONValue)] { shared.state.withLock { $0.sent } }
    var loginCount: Int { shared.state.withLock { $0.logins } }
    var typingRequests: [String] { shared.state.withLock { $0.typing } }
    func invalidateToken() { shared.state.withLock { $0.tokenValid = false } }

    private static func answer(_ request: HTTPRequest, _ shared: Shared) async throws -> HTTPResponse {
        if request.url == "https://hs.x/_matrix/client/versions" {
            return json(200, ["versions": ["r0.6.1", "v1.1", "v1.11"]])
        }
        let path = request.url.replacingOccurrences(of: "https://hs.x/_matrix/client/v3/", with: "")
        if path == "login" {
            let count = shared.state.withLock { state -> Int in
                state.logins += 1
                state.tokenValid = true
                return state.logins
            }
            return json(200, ["access_token": .string("TOKEN\(count)"), "user_id": "@bot:x", "device_id": "DEV"])
        }
        if !shared.state.withLock({ $0.tokenValid }) {
            return json(401, ["errcode": "M_UNKNOWN_TOKEN", "error": "Unknown token"])
        }
        switch true {
        case path == "account/whoami": return json(200, ["user_id": "@bot:x", "device_id": "DEV"])
        case path.hasSuffix("/displayname"): return json(200, ["displayname": "RingBot"])
        case path.hasSuffix("/filter"): return json(200, ["filter_id": "F"])
        case path.hasPrefix("join/") || path.hasSuffix("/leave"): return json(200, [:])
        case path.contains("/typing/"):
            shared.state.withLock { $0.typing.append(request.url) }
            return json(200, [:])
        case path.hasSuffix("/joined_members"): return json(200, ["joined": ["@bot:x": [:], "@a:x": [:], "@b:x": [:]]])
        case path.contains("/send/"):
            let count = shared.state.withLock { state -> Int in
                state.sent.append((request.url, (try? JSONValue.parse(request.body ?? [])) ?? .null))
                return state.sent.count
            }
            return json(200, ["event_id": .string("$reply\(count)")])
        case path.contains("/messages?"):
            return json(200, shared.state.withLock { $0.pages.isEmpty ? ["chunk": []] : $0.pages.removeFirst() })
        case path.hasPrefix("sync"):
            if let next = shared.state.withLock({ state -> JSONValue? in state.syncs.isEmpty ? nil : state.syncs.removeFirst() }) {
                if let status = next["__status"]?.intValue { return json(status, next) }
                return json(200, next)
            }
            // A short sync (the runtime has answers due soon) gets an empty batch; a long one ends the script.
            let query = URLComponents(string: request.url)?.queryItems ?? []
            if let timeout = query.first(where: { $0.name == "timeout" })?.value.flatMap(Int.init), timeout < 1000 {
                try await Task.sleep(for: .milliseconds(timeout))
                return json(200, ["next_batch": .string(query.first { $0.name == "since" }?.value ?? "s0")])
            }
            shared.state.withLock { $0.whenIdle }?()
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        default:
            return json(404, ["errcode": "M_UNRECOGNIZED"])
        }
    }
}

func message(_ id: String, from sender: String, _ body: String, msgtype: String = "m.text",
             at date: Date = Date(timeIntervalSince1970: 0.001)) -> JSONValue {
    ["type": "m.room.message", "event_id": .string(id), "sender": .string(sender),
     "origin_server_ts": .int(Int(date.timeIntervalSince1970 * 1000)),
     "content": ["msgtype": .string(msgtype), "body": .string(body)]]
}

func room(_ events: [JSONValue], members: Int? = nil, state: [JSONValue] = []) -> JSONValue {
    var room: [String: JSONValue] = ["timeline": ["events": .array(events)], "state": ["events": .array(state)]]
    if let members { room["summary"] = ["m.joined_member_count": .int(members)] }
    return .object(room)
}

/// Test conveniences over the runtime's store, in the old Matrix store's terms.
extension MatrixStore {
    static let account = AccountKey(platform: "matrix", account: "@bot:x")
    func saveSyncPosition(_ position: String, at date: Date = Date()) throws {
        try store.saveCursor(position, for: Self.account, at: date)
    }
    func syncPosition() throws -> String? { try store.cursor(for: Self.account)?.cursor }
    func isHandled(messageID: String) throws -> Bool { try store.isHandled(messageID, for: Self.account) }
    func markHandled(eventID: String, at date: Date) throws {
        try store.commit(CompletedTurn(conversation: Self.account.conversation(room: "!r", user: "@u"),
                                       messageIDs: [eventID], state: nil, completedAt: date))
    }
    func saveFilterID(_ id: String, for key: String) throws { try store.setValue(id, "filter:" + key, for: Self.account) }
}

extension TransactionID {
    /// The transaction id of the reply to `eventID` (the runtime's idempotency key).
    static func reply(to eventID: String) -> String { ChatRuntime<MatrixPlatform>.idempotencyKey(for: eventID) }
}

/// The Matrix adapter on the runtime, against a ``FakeHomeserver``; `run()` ends when the script does.
struct MatrixBot {
    let runtime: ChatRuntime<MatrixPlatform>
    func run() async throws { try await runtime.run() }
}

@Suite struct MatrixPlatformTests {
    func makeBot(_ server: FakeHomeserver, store: MatrixStore, configuration: MatrixBotConfiguration? = nil,
                 flood: FloodControlSettings = .off, fragmentWait: Duration = .zero,
                 assistant: Assistant = TestKnowledge.tiny(), logs: LogCapture = LogCapture()) -> MatrixBot {
        let http = MatrixHTTP(baseURL: "https://hs.x", transport: server.transport, logger: logs.logger,
                              sleep: { _ in }, random: { 0 })
        let platform = MatrixPlatform(
            configuration: configuration ?? MatrixBotConfiguration(
                homeserver: "https://hs.x", userID: "@bot:x", password: "PASSWORD",
                invitePolicy: InvitePolicy(allowedServers: ["x"])),
            client: MatrixClient(http: http), store: store, logger: logs.logger)
        let settings = RuntimeSettings(flood: flood, fragmentWait: fragmentWait,
                                       backoff: BackoffPolicy(initial: .milliseconds(1), cap: .milliseconds(2)))
        let runtime = ChatRuntime(platform: platform, store: store.store, assistants: AssistantBox(assistant),
                                  settings: settings, logger: logs.logger)
        server.whenIdle = { runtime.requestStop() }
        return MatrixBot(runtime: runtime)
    }

    @Test func answersDirectAndAddressedMessagesOnlyAndSavesThePositionAfterTheReplies() async throws {
        let first: JSONValue = [
            "next_batch": "s0",
            "rooms": ["invite": [
                "!ok:x": ["invite_state": ["events": [["type": "m.room.member", "state_key": "@bot:x", "sender": "@a:x",
                                                       "content": ["membership": "invite"]]]]],
                "!bad:evil": ["invite_state": ["events": [["type": "m.room.member", "state_key": "@bot:x",
                                                           "sender": "@eve:evil", "content": ["membership": "invite"]]]]],
            ], "join": ["!old:x": room([message("$history", from: "@a:x", "old question")], members: 2)]],
        ]
        let second: JSONValue = [
            "next_batch": "s1",
            "rooms": ["join": [
                "!dm:x": room([message("$q1", from: "@a:x", "> <@bot:x> quoted\n\nwhy no ringing"),
                               message("$own", from: "@bot:x", "my own"),
                               message("$notice", from: "@a:x", "a notice", msgtype: "m.notice")], members: 2),
                "!group:x": room([message("$q2", from: "@b:x", "just chatting"),
                                  message("$q3", from: "@b:x", "RingBot: why no ringing")]),
            ]],
        ]
        let server = FakeHomeserver(syncs: [first, second])
        let store = try MatrixStore.inMemory()
        try await makeBot(server, store: store).run()

        let sent = server.sentMessages
        #expect(sent.count == 2)
        #expect(sent.map(\.url) == [
            "https://hs.x/_matrix/client/v3/rooms/%21dm%3Ax/send/m.room.message/\(TransactionID.reply(to: "$q1"))",
            "https://hs.x/_matrix/client/v3/rooms/%21group%3Ax/send/m.room.message/\(TransactionID.reply(to: "$q3"))",
        ])
        #expect(sent.first?.content["m.relates_to"] == ["m.in_reply_to": ["event_id": "$q1"]])
        #expect(sent.first?.content["msgtype"] == "m.notice")
        #expect(try store.syncPosition() == "s1")
        #expect(try store.isHandled(messageID: "$q1") && store.isHandled(messageID: "$q3"))
        #expect(try !store.isHandled(messageID: "$history"))
        #expect(try store.session()?.accessToken == "TOKEN1")
        let calls = server.transport.requests.map(\.url)
        #expect(calls.contains { $0.hasSuffix("/join/%21ok%3Ax") })
        #expect(calls.contains { $0.hasSuffix("/rooms/%21bad%3Aevil/leave") })
        #expect(!calls.contains { $0.contains("full_state") })
        #expect(calls.first { $0.contains("/sync") }?.contains("timeout=0") == true)
    }

    @Test func aStoredSessionIsReusedAndARejectedTokenLeadsToANewLogin() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSession(MatrixSession(userID: "@bot:x", deviceID: "DEV", accessToken: "OLD", homeserver: "https://hs.x"))
        try store.saveSyncPosition("s0")
        let server = FakeHomeserver(syncs: [["next_batch": "s1"]])
        server.invalidateToken()
        let logs = LogCapture()
        try await makeBot(server, store: store, logs: logs).run()
        #expect(server.loginCount == 1)
        #expect(try store.session()?.accessToken == "TOKEN1")
        let loginBody = try #require(server.transport.requests.first { $0.url.hasSuffix("/login") }?.body)
        #expect(try JSONValue.parse(loginBody)["device_id"] == "DEV")
        #expect(!logs.all.joined().contains("PASSWORD"))
        #expect(!logs.all.joined().contains("TOKEN1"))
        #expect(!logs.all.joined().contains("OLD"))
    }

    @Test func aRejectedTokenWithoutPasswordIsAFatalErrorThatSaysWhatToDo() async throws {
        let store = try MatrixStore.inMemory()
        let server = FakeHomeserver(syncs: [])
        server.invalidateToken()
        let bot = makeBot(server, store: store, configuration: MatrixBotConfiguration(
            homeserver: "https://hs.x", userID: "@bot:x", accessToken: "GIVEN"))
        await #expect {
            try await bot.run()
        } throws: { error in
            "\(error)".contains("M_UNKNOWN_TOKEN") && "\(error)".contains("RINGBOT_MATRIX_TOKEN")
                && !"\(error)".contains("GIVEN")
        }
    }

    @Test func anEncryptedRoomIsToldOnceAndItsMessagesAreIgnored() async throws {
        let encryption: JSONValue = ["type": "m.room.encryption", "state_key": "", "event_id": "$e", "sender": "@a:x",
                                     "content": ["algorithm": "m.megolm.v1.aes-sha2"]]
        let server = FakeHomeserver(syncs: [
            ["next_batch": "s1", "rooms": ["join": ["!enc:x": room([message("$q", from: "@a:x", "hi")], members: 2,
                                                                     state: [encryption])]]],
            ["next_batch": "s2", "rooms": ["join": ["!enc:x": room([message("$q2", from: "@a:x", "hi")], members: 2)]]],
        ])
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        try await makeBot(server, store: store).run()
        #expect(server.sentMessages.count == 1)
        #expect(server.sentMessages.first?.url.contains(TransactionID.encryptionNotice(in: "!enc:x")) == true)
        #expect(try store.isEncryptedRoomNotified("!enc:x"))
    }

    @Test func alreadyHandledEventsAreNotAnsweredAgain() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        try store.markHandled(eventID: "$q1", at: Date())
        let server = FakeHomeserver(syncs: [
            ["next_batch": "s1", "rooms": ["join": ["!dm:x": room([message("$q1", from: "@a:x", "hi"),
                                                                    message("$q2", from: "@a:x", "hi")], members: 2)]]],
        ])
        try await makeBot(server, store: store).run()
        #expect(server.sentMessages.map(\.url) == [
            "https://hs.x/_matrix/client/v3/rooms/%21dm%3Ax/send/m.room.message/\(TransactionID.reply(to: "$q2"))",
        ])
    }

    @Test func aCutTimelineIsFilledFromMessagesBackToThePreviousPosition() async throws {
        let store = try MatrixStore.inMemory()
        let now = Date()
        try store.saveSyncPosition("s0", at: now.addingTimeInterval(-10))
        let server = FakeHomeserver(syncs: [[
            "next_batch": "s1",
            "rooms": ["join": ["!dm:x": .object([
                "summary": ["m.joined_member_count": 2],
                "timeline": ["limited": true, "prev_batch": "p1",
                             "events": [message("$new", from: "@a:x", "third", at: now)]],
            ])]],
        ]])
        server.pages = [
            ["chunk": [message("$new", from: "@a:x", "third", at: now),
                       message("$gap2", from: "@a:x", "second", at: now.addingTimeInterval(-2))], "end": "p2"],
            ["chunk": [message("$gap1", from: "@a:x", "first", at: now.addingTimeInterval(-5)),
                       message("$old", from: "@a:x", "answered long ago", at: now.addingTimeInterval(-3600))],
             "end": "p3"],
        ]
        try await makeBot(server, store: store).run()
        #expect(server.sentMessages.map(\.url) == ["$gap1", "$gap2", "$new"].map {
            "https://hs.x/_matrix/client/v3/rooms/%21dm%3Ax/send/m.room.message/\(TransactionID.reply(to: $0))"
        })
    }

    @Test func aRefusedSyncPositionIsRecoveredByANewFilterThenByStartingFromNow() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("lost-position")
        try store.saveFilterID("F-old", for: "@bot:x#v1#100")
        let refused: JSONValue = ["__status": 400, "errcode": "M_UNKNOWN", "error": "Invalid stream token"]
        let server = FakeHomeserver(syncs: [
            refused, refused, ["next_batch": "fresh"],
            ["next_batch": "s2", "rooms": ["join": ["!dm:x": room([message("$q", from: "@a:x", "hi")], members: 2)]]],
        ])
        try await makeBot(server, store: store).run()
        let urls = server.transport.requests.map(\.url)
        #expect(urls.filter { $0.hasSuffix("/filter") }.count == 1)
        #expect(urls.contains { $0.contains("/sync?") && !$0.contains("since=") && $0.contains("timeout=0") })
        #expect(server.sentMessages.count == 1)
        #expect(try store.syncPosition() == "s2")
    }

    @Test func aSyncRefusedAgainAndAgainIsAFatalErrorThatSaysWhatToDo() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        let refused: JSONValue = ["__status": 400, "errcode": "M_UNKNOWN", "error": "nope"]
        let server = FakeHomeserver(syncs: [refused, refused, ["next_batch": "fresh"], refused, refused, refused])
        let bot = makeBot(server, store: store)
        await #expect {
            try await bot.run()
        } throws: { error in
            "\(error)".contains("keeps refusing to sync")
        }
    }

    @Test func fragmentsInADirectChatGetOneReplyToTheLastAfterATypingNotice() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        let fragments = ["so", "my whatsapp", "calls", "they just say calling"]
        let server = FakeHomeserver(syncs: fragments.enumerated().map { index, text in
            ["next_batch": .string("s\(index + 1)"),
             "rooms": ["join": ["!dm:x": room([message("$f\(index)", from: "@a:x", text)], members: 2)]]]
        })
        try await makeBot(server, store: store, fragmentWait: .seconds(30), assistant: try TestKnowledge.real()).run()
        #expect(server.sentMessages.map(\.url) == [
            "https://hs.x/_matrix/client/v3/rooms/%21dm%3Ax/send/m.room.message/\(TransactionID.reply(to: "$f3"))",
        ])
        #expect(server.sentMessages.first?.content["m.relates_to"] == ["m.in_reply_to": ["event_id": "$f3"]])
        #expect(server.typingRequests == ["https://hs.x/_matrix/client/v3/rooms/%21dm%3Ax/typing/%40bot%3Ax"])
        #expect(try (0..<4).allSatisfy { try store.isHandled(messageID: "$f\($0)") })
        #expect(try store.syncPosition() == "s4")
    }

    @Test func inAGroupANameInPassingIsNotAnsweredButAFollowUpInTheBotsThreadIs() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        func inThread(_ id: String, _ body: String) -> JSONValue {
            var event = message(id, from: "@b:x", body)
            if case .object(var fields) = event, case .object(var content)? = fields["content"] {
                content["m.relates_to"] = ["rel_type": "m.thread", "event_id": "$root"]
                fields["content"] = .object(content)
                event = .object(fields)
            }
            return event
        }
        let server = FakeHomeserver(syncs: [
            ["next_batch": "s1", "rooms": ["join": ["!group:x": room([
                message("$passing", from: "@b:x", "the ringbot is useful"),
                inThread("$ask", "RingBot: why no ringing"),
                inThread("$follow", "and on android"),
                message("$elsewhere", from: "@b:x", "and on android"),
            ])]]],
        ])
        try await makeBot(server, store: store).run()
        #expect(server.sentMessages.map(\.url) == ["$ask", "$follow"].map {
            "https://hs.x/_matrix/client/v3/rooms/%21group%3Ax/send/m.room.message/\(TransactionID.reply(to: $0))"
        })
        #expect(try store.store.unansweredQuestions().map(\.text).contains("the ringbot is useful") == false)
    }

    @Test func aFloodGetsOneNoticeAndEveryMessageIsStillAnswered() async throws {
        let store = try MatrixStore.inMemory()
        try store.saveSyncPosition("s0")
        let server = FakeHomeserver(syncs: [
            ["next_batch": "s1", "rooms": ["join": ["!dm:x": room((1...4).map {
                message("$q\($0)", from: "@a:x", "question \($0)")
            }, members: 2)]]],
        ])
        try await makeBot(server, store: store,
                          flood: FloodControlSettings(maxMessages: 2, window: 60, slowInterval: 0)).run()
        let bodies = server.sentMessages.map { $0.content["body"]?.stringValue ?? "" }
        #expect(bodies.count == 5)
        #expect(bodies.filter { $0 == FloodControl.slowDownText }.count == 1)
        #expect(bodies[2] == FloodControl.slowDownText)
        #expect(server.sentMessages[2].content["m.relates_to"] == ["m.in_reply_to": ["event_id": "$q3"]])
        #expect(try (1...4).allSatisfy { try store.isHandled(messageID: "$q\($0)") })
    }
}

@Suite struct MatrixConnectTests {
    func connect(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) async throws -> String {
        let transport = FakeTransport { request, _ in answer(request) }
        let http = MatrixHTTP(baseURL: "https://hs.x/matrix", transport: transport, logger: LogCapture().logger,
                              maxFailures: 0, sleep: { _ in }, random: { 0 })
        let platform = MatrixPlatform(
            configuration: MatrixBotConfiguration(homeserver: "https://hs.x/matrix", userID: "@bot:x", password: "PW"),
            client: MatrixClient(http: http), store: try MatrixStore.inMemory(), logger: LogCapture().logger)
        return try await platform.connect()
    }

    @Test func aBaseURLWithAPathIsNamedAsSuchNotBlamedOnTheCredentials() async throws {
        await #expect {
            try await connect { _ in json(404, ["errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"]) }
        } throws: { error in
            let text = "\(error)"
            return (error as? ChatPlatformError)?.kind == .permanent && text.contains("does not serve the Matrix client API")
                && text.contains("without a path") && !text.contains("PASSWORD")
        }
    }

    @Test func aServerWithoutV11IsUnsupported() async throws {
        await #expect {
            try await connect { _ in json(200, ["versions": ["r0.5.0"]]) }
        } throws: { error in
            (error as? ChatPlatformError)?.kind == .permanent && "\(error)".contains("needs v1.1 or later")
        }
    }

    @Test func aTLSFailureIsPermanentAndSaysWhatToCheck() async throws {
        let transport = FakeTransport { _, _ in throw HTTPError.tls }
        let http = MatrixHTTP(baseURL: "https://hs.x:8008", transport: transport, logger: LogCapture().logger,
                              maxFailures: 0, sleep: { _ in }, random: { 0 })
        await #expect {
            try await http.send(.get, "/_matrix/client/versions", purpose: "check the homeserver")
        } throws: { error in
            (error as? ChatPlatformError)?.kind == .permanent && "\(error)".contains("use http://")
        }
    }

    @Test func aNetworkFailureIsHandedBackToTheRuntimeAsTransient() async throws {
        let transport = FakeTransport { _, _ in throw FakeNetworkError() }
        let http = MatrixHTTP(baseURL: "https://hs.x", transport: transport, logger: LogCapture().logger,
                              maxFailures: 0, sleep: { _ in }, random: { 0 })
        await #expect {
            try await http.send(.get, "/x", purpose: "x")
        } throws: { error in
            (error as? ChatPlatformError)?.isTransient == true
        }
        #expect(transport.requests.count == 1)
    }
}

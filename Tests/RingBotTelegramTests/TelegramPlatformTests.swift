import Foundation
import Logging
import RingBotCore
import RingBotHTTP
import RingBotRuntime
import Synchronization
import Testing
@testable import RingBotTelegram

/// A scripted Bot API: answers each method from a closure that sees the method name and the JSON body.
func scriptedBotAPI(_ answer: @escaping @Sendable (String, [String: Any], Int) -> HTTPResponse) -> ScriptedTransport {
    ScriptedTransport { request, index in
        let method = String(request.url.split(separator: "/").last ?? "")
        return answer(method, body(request), index)
    }
}

let getMeAnswer = botAPI(200, #"{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"RingBot","username":"ringbot_test_bot"}}"#)

func updateJSON(_ id: Int, chat: Int, type: String = "private", message: Int, text: String, extra: String = "") -> String {
    #"{"update_id":\#(id),"message":{"message_id":\#(message),"date":1700000000,"chat":{"id":\#(chat),"type":"\#(type)"},"from":{"id":42,"is_bot":false,"first_name":"Alice"},"text":"\#(text)"\#(extra)}}"#
}

func sentJSON(chat: Int, message: Int) -> HTTPResponse {
    botAPI(200, #"{"ok":true,"result":{"message_id":\#(message),"date":1,"chat":{"id":\#(chat),"type":"private"},"text":"x"}}"#)
}

func platform(_ transport: ScriptedTransport, store: StateStore) -> TelegramPlatform {
    TelegramPlatform(api: api(transport), store: store, logger: Logger(label: "test"))
}

func reply(to message: InboundMessage<TelegramTarget>, _ document: ReplyDocument) -> OutgoingReply<TelegramTarget> {
    OutgoingReply(content: .answer(document), inReplyTo: message, answers: [message.id], idempotencyKey: "ringbot-test")
}

/// Holds update 10 until a poll's offset passes it, like the Bot API.
final class ForgettingServer: Sendable {
    private let forgotten = Mutex(false)

    /// Whether update 10 is still there for a poll from `offset`.
    func poll(offset: Int) -> Bool {
        forgotten.withLock { forgotten in
            if offset > 10 { forgotten = true }
            return !forgotten
        }
    }
}

@Suite struct TelegramPlatformTests {
    @Test func theFirstStartSkipsHistoryWithOffsetMinusOne() async throws {
        let transport = scriptedBotAPI { method, _, _ in
            method == "getMe" ? getMeAnswer : botAPI(200, #"{"ok":true,"result":[\#(updateJSON(77, chat: 42, message: 3, text: "old"))]}"#)
        }
        let telegram = platform(transport, store: try StateStore())
        #expect(try await telegram.connect() == "123456")
        let first = try await telegram.poll(from: nil, timeout: .zero)
        #expect(first.messages.isEmpty)
        #expect(first.nextCursor == "78")
        let poll = body(transport.requests[1])
        #expect(poll["offset"] as? Int == -1)
        #expect(poll["timeout"] as? Int == 0)
    }

    @Test func messagesCarryChatScopedIdsTheirTopicAndAddressing() async throws {
        let transport = scriptedBotAPI { method, _, _ in
            if method == "getMe" { return getMeAnswer }
            return botAPI(200, #"{"ok":true,"result":[\#(updateJSON(10, chat: 42, message: 3, text: "my calls say calling")),\#(updateJSON(11, chat: -1004002, type: "supergroup", message: 3, text: "just chatting", extra: #","message_thread_id":9,"is_topic_message":true"#)),\#(updateJSON(12, chat: -1004002, type: "supergroup", message: 4, text: "/ask@ringbot_test_bot why", extra: #","message_thread_id":9,"is_topic_message":true,"entities":[{"type":"bot_command","offset":0,"length":21}]"#))]}"#)
        }
        let telegram = platform(transport, store: try StateStore())
        _ = try await telegram.connect()
        let result = try await telegram.poll(from: "10", timeout: .seconds(30))
        #expect(result.nextCursor == "13")
        #expect(result.messages.map(\.id) == ["42:3", "-1004002:3", "-1004002:4"])
        #expect(result.messages.map(\.addressing) == [.direct, .unaddressed, .mentioned])
        #expect(result.messages[2].text == "why")
        #expect(result.messages[2].target == TelegramTarget(chatID: -1004002, messageID: 4, topicID: 9))
        #expect(result.messages[0].room == "42" && result.messages[0].sender == "42")
        #expect(body(transport.requests[1])["timeout"] as? Int == 30)
    }

    @Test func updatesTheServerForgotAreServedAgainUntilTheRuntimeSavesACursorPastThem() async throws {
        // The server forgets update 10 once polled with offset 11; the bot crashes before answering it.
        let server = ForgettingServer()
        let transport = scriptedBotAPI { method, params, _ in
            if method == "getMe" { return getMeAnswer }
            let remembers = server.poll(offset: params["offset"] as? Int ?? 0)
            return botAPI(200, remembers ? #"{"ok":true,"result":[\#(updateJSON(10, chat: 42, message: 3, text: "why calling"))]}"# : #"{"ok":true,"result":[]}"#)
        }
        let store = try StateStore()
        let account = AccountKey(platform: "telegram", account: "123456")
        try store.saveCursor("10", for: account, at: Date())
        let before = platform(transport, store: store)
        _ = try await before.connect()
        #expect(try await before.poll(from: "10", timeout: .seconds(1)).messages.map(\.id) == ["42:3"])
        #expect(try await before.poll(from: "11", timeout: .seconds(1)).messages.isEmpty)

        let after = platform(transport, store: store)   // restarted from the saved cursor 10
        _ = try await after.connect()
        let replayed = try await after.poll(from: "10", timeout: .seconds(30))
        #expect(replayed.messages.map(\.id) == ["42:3"])
        #expect(replayed.nextCursor == "11")
        #expect(body(transport.requests.last!)["timeout"] as? Int == 0)   // something to do: no long wait

        try store.saveCursor("11", for: account, at: Date())
        #expect(try await after.poll(from: "11", timeout: .seconds(1)).messages.isEmpty)
        #expect(try TelegramUpdateCache(store: store, account: account).load().isEmpty)
    }

    @Test func aReplyIsHTMLInTheTopicAndALongOneIsSentInParts() async throws {
        let transport = scriptedBotAPI { method, params, index in
            method == "getMe" ? getMeAnswer : sentJSON(chat: params["chat_id"] as? Int ?? 0, message: 100 + index)
        }
        let telegram = platform(transport, store: try StateStore())
        _ = try await telegram.connect()
        let question = InboundMessage(id: "-1004002:4", room: "-1004002", sender: "42", text: "why", sentAt: Date(),
                                      addressing: .mentioned, target: TelegramTarget(chatID: -1004002, messageID: 4, topicID: 9))
        let long = ReplyDocument([.paragraph(String(repeating: "calls & ringing ", count: 400))])
        let sentID = try await telegram.send(reply(to: question, long))
        let sends = transport.requests.dropFirst().map(body)
        #expect(sends.count == 2)
        #expect(sentID == "-1004002:102")
        for send in sends {
            #expect(send["message_thread_id"] as? Int == 9)
            #expect(send["parse_mode"] as? String == "HTML")
            #expect((send["reply_parameters"] as? [String: Any])?["message_id"] as? Int == 4)
            #expect((send["text"] as? String)?.contains("&amp;") == true)
            #expect(((send["text"] as? String)?.utf16.count ?? 5000) <= 4096)
        }
    }

    @Test func aMigratedGroupIsFollowedAndRemembered() async throws {
        let transport = scriptedBotAPI { method, params, index in
            if method == "getMe" { return getMeAnswer }
            if params["chat_id"] as? Int == -4001 {
                return botAPI(400, #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1000000004001}}"#)
            }
            return sentJSON(chat: -1_000_000_004_001, message: 50 + index)
        }
        let telegram = platform(transport, store: try StateStore())
        _ = try await telegram.connect()
        let question = InboundMessage(id: "-4001:7", room: "-4001", sender: "42", text: "why", sentAt: Date(),
                                      addressing: .mentioned, target: TelegramTarget(chatID: -4001, messageID: 7, topicID: nil))
        _ = try await telegram.send(reply(to: question, ReplyDocument([.paragraph("answer")])))
        _ = try await telegram.send(reply(to: question, ReplyDocument([.paragraph("again")])))
        let chats = transport.requests.dropFirst().map { body($0)["chat_id"] as? Int }
        #expect(chats == [-4001, -1_000_000_004_001, -1_000_000_004_001])
        #expect(body(transport.requests[2])["reply_parameters"] == nil)
    }

    @Test func failuresTellTheRuntimeWhatToDo() async throws {
        let cases: [(HTTPResponse, ChatPlatformError.Kind)] = [
            (botAPI(429, #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#),
             .transient(retryAfter: .seconds(3))),
            (botAPI(500, #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#), .transient(retryAfter: nil)),
            (botAPI(403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#), .rejected),
            (botAPI(401, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#), .permanent),
        ]
        for (answer, kind) in cases {
            let transport = scriptedBotAPI { method, _, _ in method == "getMe" ? getMeAnswer : answer }
            let telegram = platform(transport, store: try StateStore())
            _ = try await telegram.connect()
            let question = InboundMessage(id: "42:1", room: "42", sender: "42", text: "x", sentAt: Date(), addressing: .direct,
                                          target: TelegramTarget(chatID: 42, messageID: 1, topicID: nil))
            do {
                _ = try await telegram.send(reply(to: question, ReplyDocument([.paragraph("hi")])))
                Issue.record("expected \(kind)")
            } catch let error as ChatPlatformError {
                #expect(error.kind == kind)
                #expect(!error.description.contains(testToken.secret))
            }
        }
        let conflict = scriptedBotAPI { method, _, _ in
            method == "getMe" ? getMeAnswer
                : botAPI(409, #"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}"#)
        }
        let telegram = platform(conflict, store: try StateStore())
        _ = try await telegram.connect()
        await #expect(throws: ChatPlatformError.self) { try await telegram.poll(from: "5", timeout: .seconds(1)) }
    }
}

import Foundation
import Logging
import RingBotHTTP
import Synchronization
@testable import RingBotTelegram

/// An ``HTTPTransport`` that answers from a closure and records every request.
final class ScriptedTransport: HTTPTransport {
    private let recorded = Mutex<[HTTPRequest]>([])
    private let handler: @Sendable (HTTPRequest, Int) async throws -> HTTPResponse

    /// `handler` gets each request and its index (0 for the first).
    init(_ handler: @escaping @Sendable (HTTPRequest, Int) async throws -> HTTPResponse) {
        self.handler = handler
    }

    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = recorded.withLock { requests -> Int in
            requests.append(request)
            return requests.count - 1
        }
        return try await handler(request, index)
    }
}

/// A Bot API answer with a JSON body.
func botAPI(_ status: Int, _ json: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Array(json.utf8))
}

/// The JSON body of a request, as a dictionary.
func body(_ request: HTTPRequest) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(request.body ?? []))) as? [String: Any] ?? [:]
}

let testToken = TelegramToken("123456:AAH-secret_token")!
let testBot = TelegramUser(id: 123456, isBot: true, firstName: "RingBot", username: "ringbot_test_bot")
let alice = TelegramUser(id: 42, isBot: false, firstName: "Alice", username: "alice")

func api(_ transport: ScriptedTransport) -> TelegramBotAPI {
    TelegramBotAPI(baseURL: "https://api.example.org/", token: testToken, transport: transport,
                   logger: Logger(label: "test"))
}

/// A message as the server would send it; commands and `@mentions` get their entities as the server computes them.
func message(_ text: String?, chat: TelegramChat, id: Int64 = 7, from: TelegramUser? = alice, thread: Int64? = nil,
             replyTo: TelegramRepliedMessage? = nil) -> TelegramMessage {
    var entities: [TelegramEntity] = []
    if let text {
        var offset = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if word.hasPrefix("/") && offset == 0 {
                entities.append(TelegramEntity(type: "bot_command", offset: offset, length: word.utf16.count))
            } else if word.hasPrefix("@") {
                let name = word.prefix { $0 != "," && $0 != ":" }
                entities.append(TelegramEntity(type: "mention", offset: offset, length: name.utf16.count))
            }
            offset += word.utf16.count + 1
        }
    }
    return TelegramMessage(messageID: id, messageThreadID: thread, isTopicMessage: thread.map { _ in true }, from: from,
                           date: 1_700_000_000, chat: chat, text: text, entities: entities.isEmpty ? nil : entities,
                           replyToMessage: replyTo)
}

let privateChat = TelegramChat(id: 42, type: "private")
let group = TelegramChat(id: -4001, type: "group")
let forum = TelegramChat(id: -1004002, type: "supergroup", isForum: true)

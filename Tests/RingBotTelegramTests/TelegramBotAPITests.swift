import Foundation
import Logging
import RingBotHTTP
import Testing
@testable import RingBotTelegram

@Suite struct TelegramBotAPITests {
    @Test func getUpdatesPostsJSONWithOffsetTimeoutAndOnlyMessageUpdates() async throws {
        let transport = ScriptedTransport { _, _ in
            botAPI(200, #"{"ok":true,"result":[{"update_id":9,"message":{"message_id":3,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"hi","entities":[]}},{"update_id":10,"edited_message":{}}]}"#)
        }
        let updates = try await api(transport).getUpdates(offset: 9, timeout: 30)
        #expect(updates.map(\.updateID) == [9, 10])
        #expect(updates[0].message?.text == "hi")
        #expect(updates[1].message == nil)
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://api.example.org/bot123456:AAH-secret_token/getUpdates")
        #expect(request.method == .post)
        #expect(request.timeout > .seconds(30))
        let sent = body(request)
        #expect(sent["offset"] as? Int == 9)
        #expect(sent["timeout"] as? Int == 30)
        #expect(sent["allowed_updates"] as? [String] == ["message"])
    }

    @Test func sendMessageUsesHTMLReplyParametersAndTheTopic() async throws {
        let transport = ScriptedTransport { _, _ in
            botAPI(200, #"{"ok":true,"result":{"message_id":8,"date":1,"chat":{"id":-1004002,"type":"supergroup"},"text":"x"}}"#)
        }
        let sent = try await api(transport).sendMessage(chatID: -1004002, threadID: 5, html: "<b>x</b>", replyTo: 7)
        #expect(sent.messageID == 8)
        let request = body(try #require(transport.requests.first))
        #expect(request["chat_id"] as? Int == -1004002)
        #expect(request["message_thread_id"] as? Int == 5)
        #expect(request["parse_mode"] as? String == "HTML")
        let reply = request["reply_parameters"] as? [String: Any]
        #expect(reply?["message_id"] as? Int == 7)
        #expect(reply?["allow_sending_without_reply"] as? Bool == true)
    }

    @Test func errorAnswersBecomeTheirKinds() async throws {
        let answers: [(HTTPResponse, TelegramAPIError)] = [
            (botAPI(401, #"{"ok":false,"error_code":401,"description":"Unauthorized"}"#), .unauthorized),
            (botAPI(404, #"{"ok":false,"error_code":404,"description":"Not Found"}"#), .notFound),
            (botAPI(409, #"{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}"#),
             .conflict("Conflict: terminated by other getUpdates request")),
            (botAPI(429, #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#),
             .tooManyRequests(retryAfter: .seconds(7))),
            (botAPI(400, #"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1000000004001}}"#),
             .migrated(toChatID: -1_000_000_004_001)),
            (botAPI(403, #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#),
             .refused(status: 403, description: "Forbidden: bot was blocked by the user")),
            (botAPI(500, #"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#),
             .server(status: 500, detail: "Internal Server Error")),
            (HTTPResponse(status: 502, headers: ["content-type": "text/html"], body: Array("<html>502 Bad Gateway</html>".utf8)),
             .server(status: 502, detail: "the answer to getMe is not the Bot API's JSON")),
            (HTTPResponse(status: 404, headers: ["content-type": "text/html"], body: Array("<html>Not Found</html>".utf8)), .notFound),
            (HTTPResponse(status: 200, headers: ["content-type": "text/html"], body: Array("<html>Wi-Fi login</html>".utf8)),
             .server(status: 200, detail: "the answer to getMe is not the Bot API's JSON")),
        ]
        for (response, expected) in answers {
            let transport = ScriptedTransport { _, _ in response }
            await #expect(throws: expected) { try await api(transport).getMe() }
        }
    }

    @Test func aNetworkFailureIsTransientAndNeverShowsTheToken() async throws {
        let transport = ScriptedTransport { request, _ in
            throw try #require(await Self.realConnectError(request.url))
        }
        do {
            _ = try await api(transport).getMe()
            Issue.record("expected a network error")
        } catch {
            guard case .network(let text, let transient) = error else { Issue.record("got \(error)"); return }
            #expect(transient)
            #expect(!text.contains(testToken.secret))
            #expect(!"\(error)".contains(testToken.secret))
        }
    }

    @Test func aTLSHandshakeCutByTheNetworkIsTransientButABadCertificateIsNot() async throws {
        // A server that reads the ClientHello and resets the connection: the handshake is cut short, as in a restart.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        listen(listener, 8)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let closer = Thread {
            for _ in 0..<4 {
                let connection = accept(listener, nil, nil)
                var hello = [UInt8](repeating: 0, count: 4096)
                _ = recv(connection, &hello, hello.count, 0)   // the ClientHello: the handshake has begun
                var linger = linger(l_onoff: 1, l_linger: 0)   // close with a reset
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                close(connection)
            }
        }
        closer.start()
        let client = TelegramBotAPI(baseURL: "https://127.0.0.1:\(port)", token: testToken, transport: CurlHTTPClient(),
                                    logger: Logger(label: "test"))
        do {
            _ = try await client.getMe()
            Issue.record("expected a failure")
        } catch {
            guard case .network(let text, let transient) = error else { Issue.record("got \(error)"); return }
            #expect(text.contains("TLS handshake"), "not the TLS path: \(text)")
            #expect(transient, "\(text)")
            #expect(!text.contains(testToken.secret))
        }
        #expect(!TelegramBotAPI.isTransient(HTTPError.tls))
    }

    @Test func theTokenIsNeverItsOwnDescription() {
        #expect("\(testToken)" == "<bot token>")
        #expect(testToken.botID == "123456")
        #expect(testToken.scrub("GET https://x/bot123456:AAH-secret_token/getMe and bot123456%3AAAH-secret_token") == "GET https://x/bot<bot token>/getMe and bot<bot token>")
        #expect(TelegramToken("not a token") == nil)
        #expect(TelegramToken("123:abc def") == nil)
        #expect(TelegramToken(":abc") == nil)
    }

    /// A genuine libcurl connect failure for `url` re-pointed at a closed loopback port.
    static func realConnectError(_ url: String) async -> HTTPError? {
        let path = url.components(separatedBy: "api.example.org").last ?? ""
        do {
            _ = try await CurlHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:9\(path)", connectTimeout: .seconds(2), timeout: .seconds(3)))
            return nil
        } catch {
            return error as? HTTPError
        }
    }
}

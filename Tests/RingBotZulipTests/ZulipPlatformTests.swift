import Foundation
import Testing
import RingBotCore
@testable import RingBotHTTP
import RingBotRuntime
@testable import RingBotZulip

@Suite struct ZulipPlatformTests {
    static var me: [String: Any] { ["user_id": 8, "email": "ringbot-bot@zulip.example", "full_name": "RingBot"] }

    func platform(_ transport: ZulipFakeTransport) -> ZulipPlatform {
        ZulipPlatform(api: ZulipAPI(site: "https://chat.example", email: "ringbot-bot@zulip.example", apiKey: "k",
                                    transport: transport), logger: ZulipLogRecorder().logger)
    }

    func reply(to target: ZulipReplyTarget, _ content: OutgoingReply<ZulipReplyTarget>.Content) -> OutgoingReply<ZulipReplyTarget> {
        let inbound = InboundMessage(id: "\(target.messageID)", room: "stream:1", sender: "10", text: "q", sentAt: Date(),
                                     addressing: .mentioned, target: target)
        return OutgoingReply(content: content, inReplyTo: inbound, answers: [inbound.id], idempotencyKey: "k")
    }

    let target = ZulipReplyTarget(messageID: 77, destination: .stream(id: 1, topic: "calls"), askerID: 10,
                                  askerName: "Alice Doe", streamName: "support", quotedText: "why?")

    @Test func theFirstPollRegistersAndAnswersNothingOlder() async throws {
        let transport = ZulipFakeTransport { request, _ in
            path(of: request) == "/api/v1/users/me" ? success(Self.me)
                : success(["queue_id": "q1", "last_event_id": -1, "max_message_id": 41])
        }
        let zulip = platform(transport)
        #expect(try await zulip.connect() == "ringbot-bot@zulip.example")
        let first = try await zulip.poll(from: nil, timeout: .zero)
        #expect(first.messages.isEmpty)
        #expect(ZulipCursor(encoded: first.nextCursor) == ZulipCursor(queueID: "q1", lastEventID: -1, lastMessageID: 41))
    }

    @Test func pollsGiveInboundMessagesWithTheirAddressing() async throws {
        let transport = ZulipFakeTransport { request, _ in
            if path(of: request) == "/api/v1/users/me" { return success(Self.me) }
            return success(["events": [["type": "message", "id": 0, "flags": [],
                                        "message": message(id: 42, content: "more", stream: (1, "support", "Calls"))]]])
        }
        let zulip = platform(transport)
        _ = try await zulip.connect()
        let result = try await zulip.poll(from: ZulipCursor(queueID: "q1", lastEventID: -1, lastMessageID: 41).encoded,
                                          timeout: .seconds(30))
        let inbound = try #require(result.messages.first)
        #expect(inbound.addressing == .unaddressed && inbound.thread == "calls" && inbound.room == "stream:1")
        #expect(inbound.id == "42" && inbound.sender == "10" && inbound.text == "more")
    }

    @Test func aReplyQuotesTheQuestionInItsTopic() async throws {
        let transport = ZulipFakeTransport { _, _ in success(["id": 99]) }
        let id = try await platform(transport).send(reply(to: target, .answer(ReplyDocument([.paragraph("Restart it.")]))))
        #expect(id == "99")
        let sent = parameters(of: try #require(transport.requests.first))
        #expect(sent["type"] == "stream" && sent["to"] == "1" && sent["topic"] == "calls")
        #expect(sent["content"] == "@_**Alice Doe|10** [said](https://chat.example/#narrow/channel/1-support/topic/calls/near/77):\n```quote\nwhy?\n```\nRestart it\\.")
    }

    @Test func theDeliveryCheckLooksForTheQuestionsLinkAmongTheBotsMessages() async throws {
        let transport = ZulipFakeTransport { request, _ in
            if path(of: request) == "/api/v1/users/me" { return success(Self.me) }
            return success(["messages": [message(id: 90, sender: (8, "ringbot-bot@zulip.example", "RingBot"),
                                                 content: "@_**A|10** [said](https://chat.example/#narrow/x/near/77):\nok",
                                                 stream: (1, "support", "calls"))], "found_newest": true])
        }
        let zulip = platform(transport)
        _ = try await zulip.connect()
        #expect(try await zulip.checkDelivery(of: reply(to: target, .notice("x"))) == .delivered)
        var other = target
        other.messageID = 78
        #expect(try await zulip.checkDelivery(of: reply(to: other, .notice("x"))) == .notDelivered)
        let narrow = parameters(of: transport.requests[1])["narrow"]
        #expect(narrow == #"[{"operand":1,"operator":"channel"},{"operand":"calls","operator":"topic"},{"operand":8,"operator":"sender"}]"#)
    }

    @Test func failuresTellTheRuntimeWhatToDo() async throws {
        let revoked = ZulipFakeTransport { _, _ in zulipJSON(401, ["result": "error", "msg": "Invalid API key", "code": "INVALID_API_KEY"]) }
        let error = await #expect(throws: ChatPlatformError.self) { try await platform(revoked).connect() }
        #expect(error?.kind == .permanent && error?.description.contains("RINGBOT_ZULIP_API_KEY") == true)

        let limited = ZulipFakeTransport { _, _ in
            zulipJSON(429, ["result": "error", "msg": "API usage exceeded rate limit", "code": "RATE_LIMIT_HIT", "retry-after": 0.75])
        }
        let slow = await #expect(throws: ChatPlatformError.self) { try await platform(limited).send(reply(to: target, .notice("x"))) }
        #expect(slow?.kind == .transient(retryAfter: .milliseconds(750)))

        let refused = ZulipFakeTransport { _, _ in
            zulipJSON(400, ["result": "error", "msg": "Channel 'x' does not exist", "code": "STREAM_DOES_NOT_EXIST"])
        }
        let gone = await #expect(throws: ChatPlatformError.self) { try await platform(refused).send(reply(to: target, .notice("x"))) }
        #expect(gone?.kind == .rejected)

        let down = ZulipFakeTransport { _, _ in throw HTTPError.connectFailed }
        let offline = await #expect(throws: ChatPlatformError.self) { try await platform(down).connect() }
        #expect(offline?.isTransient == true)
    }

    @Test func aHandshakeCutByTheNetworkIsRetriedButARefusedCertificateIsNot() {
        let reset = HTTPError(.tls, method: "GET", url: "https://c/api/v1/events", detail: "Send failure: Connection reset by peer")
        #expect(ZulipFailure.classify(reset).isTransient)
        let untrusted = HTTPError(.tls, detail: "SSL certificate problem: self-signed certificate")
        let error = ZulipFailure.classify(untrusted)
        #expect(error.kind == .permanent && error.description.contains("RINGBOT_ZULIP_CA_FILE"))
    }
}

import Foundation
import Testing
import RingBotHTTP
@testable import RingBotZulip

@Suite struct ZulipAPITests {
    func api(_ transport: ZulipFakeTransport) -> ZulipAPI {
        ZulipAPI(site: "https://chat.example/", email: "ringbot-bot@zulip.example", apiKey: "KEY123", transport: transport)
    }

    @Test func theKeyTravelsOnlyInTheBasicAuthorizationHeader() async throws {
        let transport = ZulipFakeTransport { _, _ in success(["user_id": 8, "email": "ringbot-bot@zulip.example", "full_name": "RingBot"]) }
        let me = try await api(transport).ownUser()
        #expect(me == ZulipIdentity(userID: 8, email: "ringbot-bot@zulip.example", fullName: "RingBot"))
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://chat.example/api/v1/users/me")
        let expected = "Basic " + Data("ringbot-bot@zulip.example:KEY123".utf8).base64EncodedString()
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == expected })
        #expect(!request.url.contains("KEY123"))
    }

    @Test func registerAsksForMessageEventsInRawMarkdownWithALongIdleTimeout() async throws {
        let transport = ZulipFakeTransport { _, _ in
            success(["queue_id": "q1", "last_event_id": -1, "max_message_id": 41, "event_queue_longpoll_timeout_seconds": 90])
        }
        let queue = try await api(transport).register(idleQueueTimeout: 86_400)
        #expect(queue == ZulipQueue(id: "q1", lastEventID: -1, maxMessageID: 41))
        let request = try #require(transport.requests.first)
        #expect(request.method == .post && path(of: request) == "/api/v1/register")
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/x-www-form-urlencoded" })
        #expect(parameters(of: request) == ["event_types": "[\"message\"]", "apply_markdown": "false", "idle_queue_timeout": "86400"])
    }

    @Test func eventsAreReadWithTheQueueAndLastEventID() async throws {
        let transport = ZulipFakeTransport { _, _ in
            success(["events": [["type": "heartbeat", "id": 3],
                                ["type": "message", "id": 4, "flags": ["mentioned"],
                                 "message": message(id: 50, content: "hi", stream: (1, "support", "calls"))]]])
        }
        let events = try await api(transport).events(queueID: "q 1", lastEventID: 2, timeout: .seconds(95))
        #expect(events.map(\.id) == [3, 4])
        #expect(events[1].flags == ["mentioned"])
        #expect(events[1].message?.recipient == .stream(id: 1, name: "support", topic: "calls"))
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://chat.example/api/v1/events?queue_id=q%201&last_event_id=2")
        #expect(request.timeout == .seconds(95))
    }

    @Test func aRateLimitGivesTheBodysFractionalRetryAfter() async throws {
        let transport = ZulipFakeTransport { _, _ in
            zulipJSON(429, ["result": "error", "msg": "API usage exceeded rate limit", "code": "RATE_LIMIT_HIT",
                            "retry-after": 2.25], headers: ["retry-after": "2.25"])
        }
        let error = await #expect(throws: ZulipAPIError.self) { try await api(transport).send("x", to: .direct(userIDs: [10])) }
        #expect(error?.isRateLimited == true && error?.isTransient == true)
        #expect(error?.retryAfter == .milliseconds(2250))
    }

    @Test func theFractionalRetryAfterHeaderIsReadWhenTheBodyHasNone() {
        #expect(ZulipRetryAfter.parse(body: nil, header: "0.5") == .milliseconds(500))
        #expect(ZulipRetryAfter.parse(body: nil, header: "3") == .seconds(3))
        #expect(ZulipRetryAfter.parse(body: nil, header: "soon") == nil)
    }

    @Test func errorAnswersKeepZulipsCodeAndMessage() async throws {
        let transport = ZulipFakeTransport { _, _ in
            zulipJSON(400, ["result": "error", "msg": "Bad event queue ID: q1", "code": "BAD_EVENT_QUEUE_ID", "queue_id": "q1"])
        }
        let error = await #expect(throws: ZulipAPIError.self) {
            try await api(transport).events(queueID: "q1", lastEventID: 0, timeout: .seconds(1))
        }
        #expect(error?.isBadEventQueue == true && error?.isTransient == false)
        #expect(error?.description == "the Zulip server answered 400 BAD_EVENT_QUEUE_ID to poll the event queue: Bad event queue ID: q1")
    }

    @Test func aRevokedKeyIsUnauthorized() async throws {
        let transport = ZulipFakeTransport { _, _ in
            zulipJSON(401, ["result": "error", "msg": "Invalid API key", "code": "INVALID_API_KEY"])
        }
        let error = await #expect(throws: ZulipAPIError.self) { try await api(transport).ownUser() }
        #expect(error?.isUnauthorized == true && error?.isTransient == false)
        #expect(error.map { "\($0)" }?.contains("KEY123") == false)
    }

    @Test func aProxyPageIsATransientFailure() async throws {
        let transport = ZulipFakeTransport { _, _ in HTTPResponse(status: 502, body: Array("<html>Bad Gateway</html>".utf8)) }
        let error = await #expect(throws: ZulipAPIError.self) { try await api(transport).ownUser() }
        #expect(error?.status == 502 && error?.isTransient == true)
        let broken = ZulipFakeTransport { _, _ in HTTPResponse(status: 200, body: Array("<html>portal</html>".utf8)) }
        let unusable = await #expect(throws: ZulipAPIError.self) { try await api(broken).ownUser() }
        #expect(unusable?.isTransient == true)
    }

    @Test func sendingToATopicAndToADirectConversation() async throws {
        let transport = ZulipFakeTransport { _, index in success(["id": 900 + index]) }
        let client = api(transport)
        #expect(try await client.send("**hi**", to: .stream(id: 1, topic: "calls & ringing")) == 900)
        #expect(try await client.send("hello", to: .direct(userIDs: [10, 11])) == 901)
        let requests = transport.requests
        #expect(parameters(of: requests[0]) == ["type": "stream", "to": "1", "topic": "calls & ringing", "content": "**hi**"])
        #expect(parameters(of: requests[1]) == ["type": "direct", "to": "[10,11]", "content": "hello"])
    }

    @Test func messagesAfterAnAnchorExcludeItAndNarrowsAreJSON() async throws {
        let transport = ZulipFakeTransport { _, _ in
            success(["messages": [message(id: 51, content: "a", flags: ["read"])], "found_newest": true])
        }
        let page = try await api(transport).messages(after: 50, numAfter: 100,
                                                     narrow: [ZulipNarrow("channel", .int(1)), ZulipNarrow("dm", .ids([10]))])
        #expect(page.messages.map(\.id) == [51] && page.foundNewest)
        #expect(page.messages[0].flags == ["read"])
        let query = parameters(of: try #require(transport.requests.first))
        #expect(query["anchor"] == "50" && query["include_anchor"] == "false" && query["num_after"] == "100")
        #expect(query["narrow"] == "[{\"operand\":1,\"operator\":\"channel\"},{\"operand\":[10],\"operator\":\"dm\"}]")
    }
}

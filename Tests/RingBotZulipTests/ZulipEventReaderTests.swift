import Foundation
import Testing
import RingBotHTTP
@testable import RingBotZulip

@Suite struct ZulipEventReaderTests {
    let identity = ZulipIdentity(userID: 8, email: "ringbot-bot@zulip.example", fullName: "RingBot")

    func reader(_ transport: ZulipFakeTransport, logs: ZulipLogRecorder = ZulipLogRecorder(), pageSize: Int = 1000) -> ZulipEventReader {
        let api = ZulipAPI(site: "https://chat.example", email: identity.email, apiKey: "k", transport: transport)
        return ZulipEventReader(api: api, interpreter: ZulipInterpreter(identity: identity), idleQueueTimeout: 86_400,
                                logger: logs.logger, pageSize: pageSize)
    }

    @Test func theFirstStartBeginsAfterEveryExistingMessage() async throws {
        let transport = ZulipFakeTransport { _, _ in success(["queue_id": "q1", "last_event_id": -1, "max_message_id": 41]) }
        #expect(try await reader(transport).start() == ZulipCursor(queueID: "q1", lastEventID: -1, lastMessageID: 41))
    }

    @Test func eventsGiveTheQuestionsAndHeartbeatsOnlyMoveTheCursor() async throws {
        let transport = ZulipFakeTransport { _, _ in
            success(["events": [
                ["type": "heartbeat", "id": 0],
                ["type": "message", "id": 1, "flags": [], "message": message(id: 42, content: "why ringing?")],
                ["type": "message", "id": 2, "flags": ["read"],
                 "message": message(id: 43, sender: (8, "ringbot-bot@zulip.example", "RingBot"), content: "answer")],
            ]])
        }
        let batch = try await reader(transport).poll(from: ZulipCursor(queueID: "q1", lastEventID: -1, lastMessageID: 41),
                                                     timeout: .seconds(60))
        #expect(batch.questions.map(\.id) == ["42"])
        #expect(batch.nextCursor == ZulipCursor(queueID: "q1", lastEventID: 2, lastMessageID: 43))
        #expect(parameters(of: transport.requests[0]) == ["queue_id": "q1", "last_event_id": "-1"])
    }

    @Test func aShortTimeoutDoesNotBlock() async throws {
        let transport = ZulipFakeTransport { _, _ in success(["events": []]) }
        let cursor = ZulipCursor(queueID: "q1", lastEventID: 4, lastMessageID: 41)
        let batch = try await reader(transport).poll(from: cursor, timeout: .zero)
        #expect(batch.nextCursor == cursor && batch.questions.isEmpty)
        #expect(parameters(of: transport.requests[0])["dont_block"] == "true")
    }

    @Test func aLostQueueIsReplacedAndTheGapFilledFromTheLastMessage() async throws {
        let transport = ZulipFakeTransport { request, _ in
            switch path(of: request) {
            case "/api/v1/events":
                return zulipJSON(400, ["result": "error", "msg": "Bad event queue ID: q1", "code": "BAD_EVENT_QUEUE_ID", "queue_id": "q1"])
            case "/api/v1/register":
                return success(["queue_id": "q2", "last_event_id": -1, "max_message_id": 46])
            default:
                let anchor = Int(parameters(of: request)["anchor"]!)!
                let all = [message(id: 44, content: "first", flags: []),
                           message(id: 45, content: "chat", stream: (1, "support", "t"), flags: []),
                           message(id: 46, content: "@**RingBot** second", stream: (1, "support", "t"), flags: ["mentioned"]),
                           message(id: 47, content: "after the new queue", flags: [])]
                let later = all.filter { ($0["id"] as! Int) > anchor }
                return success(["messages": Array(later.prefix(2)), "found_newest": later.count <= 2])
            }
        }
        let logs = ZulipLogRecorder()
        let batch = try await reader(transport, logs: logs, pageSize: 2)
            .poll(from: ZulipCursor(queueID: "q1", lastEventID: 9, lastMessageID: 43), timeout: .seconds(60))
        #expect(batch.questions.map(\.id) == ["44", "45", "46"])
        #expect(batch.questions.map(\.addressing) == [.direct, .unaddressed, .mentioned])
        #expect(batch.nextCursor == ZulipCursor(queueID: "q2", lastEventID: -1, lastMessageID: 46))
        let anchors = transport.requests.filter { path(of: $0) == "/api/v1/messages" }.map { parameters(of: $0)["anchor"] }
        #expect(anchors == ["43", "45"])
        #expect(logs.all.contains { $0.hasPrefix("warning the Zulip event queue is gone") })
    }

    @Test func aRefusedEventPositionIsRecoveredTheSameWay() async throws {
        let transport = ZulipFakeTransport { request, _ in
            switch path(of: request) {
            case "/api/v1/events":
                return zulipJSON(400, ["result": "error", "msg": "An event newer than 3 has already been pruned!", "code": "BAD_REQUEST"])
            case "/api/v1/register":
                return success(["queue_id": "q2", "last_event_id": -1, "max_message_id": 43])
            default:
                return success(["messages": [], "found_newest": true])
            }
        }
        let batch = try await reader(transport).poll(from: ZulipCursor(queueID: "q1", lastEventID: 3, lastMessageID: 43),
                                                     timeout: .seconds(60))
        #expect(batch == ZulipBatch(questions: [], nextCursor: ZulipCursor(queueID: "q2", lastEventID: -1, lastMessageID: 43)))
    }
}

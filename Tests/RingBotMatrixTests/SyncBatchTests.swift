import Foundation
import Testing
import RingBotTestSupport
@testable import RingBotMatrix

@Suite struct SyncBatchTests {
    let sample = """
    {
      "next_batch": "s72595_4483_1934",
      "rooms": {
        "invite": {
          "!inv:x": {"invite_state": {"events": [
            {"type": "m.room.name", "state_key": "", "sender": "@eve:evil", "content": {"name": "hi"}},
            {"type": "m.room.member", "state_key": "@bot:x", "sender": "@eve:evil", "content": {"membership": "invite"}}
          ]}}
        },
        "join": {
          "!dm:x": {
            "summary": {"m.joined_member_count": 2},
            "state": {"events": []},
            "timeline": {"limited": false, "events": [
              {"type": "m.room.message", "event_id": "$1", "sender": "@alice:x", "origin_server_ts": 1700000000000,
               "content": {"msgtype": "m.text", "body": "hello"}},
              {"type": "m.room.message", "event_id": "$bad", "sender": "@alice:x", "content": "not an object"},
              {"type": "m.room.message", "sender": "@alice:x", "content": {}},
              {"type": "m.room.message", "event_id": "$2", "sender": "@alice:x",
               "content": {}, "unsigned": {"redacted_because": {"type": "m.room.redaction"}}}
            ]}
          },
          "!enc:x": {
            "state": {"events": [
              {"type": "m.room.encryption", "state_key": "", "event_id": "$e", "sender": "@alice:x",
               "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
            ]},
            "timeline": {"limited": true, "events": [
              {"type": "m.room.member", "state_key": "@carol:x", "event_id": "$m", "sender": "@carol:x",
               "content": {"membership": "join"}}
            ]}
          }
        }
      }
    }
    """

    func parse(_ text: String) throws -> SyncBatch {
        try SyncBatch(json: JSONValue.parse(Array(text.utf8)), userID: "@bot:x", logger: LogCapture().logger)
    }

    @Test func readsPositionInvitesRoomsAndEvents() throws {
        let batch = try parse(sample)
        #expect(batch.nextBatch == "s72595_4483_1934")
        #expect(batch.invites == [RoomInvite(roomID: "!inv:x", inviter: "@eve:evil")])
        #expect(batch.joined.map(\.roomID) == ["!dm:x", "!enc:x"])
        let dm = batch.joined[0]
        #expect(dm.joinedMemberCount == 2)
        #expect(dm.timeline.map(\.eventID) == ["$1", "$2"])
        #expect(dm.timeline[0].sentAt == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(dm.timeline[1].isRedacted)
        #expect(!dm.membershipChanged && !dm.announcesEncryption)
        let encrypted = batch.joined[1]
        #expect(encrypted.announcesEncryption && encrypted.membershipChanged && encrypted.timelineLimited)
    }

    @Test func skipsMalformedEventsWithALogLineInsteadOfFailing() throws {
        let logs = LogCapture()
        let batch = try SyncBatch(json: JSONValue.parse(Array(sample.utf8)), userID: "@bot:x", logger: logs.logger)
        #expect(batch.skippedEvents == 2)
        #expect(logs.all.filter { $0.contains("skipping a malformed event") }.count == 2)
    }

    @Test func anAnswerWithoutNextBatchIsAnError() {
        #expect(throws: MatrixError.self) { try parse(#"{"rooms": {}}"#) }
    }

    @Test func anEmptyAnswerHasNothingToDo() throws {
        let batch = try parse(#"{"next_batch": "s1"}"#)
        #expect(batch.invites.isEmpty && batch.joined.isEmpty)
    }
}

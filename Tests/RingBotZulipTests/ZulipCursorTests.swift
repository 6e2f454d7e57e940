import Testing
@testable import RingBotZulip

@Suite struct ZulipCursorTests {
    @Test func aCursorSurvivesItsStoredForm() {
        let cursor = ZulipCursor(queueID: "1515010080:4", lastEventID: 12, lastMessageID: 345)
        #expect(ZulipCursor(encoded: cursor.encoded) == cursor)
        #expect(cursor.encoded == #"{"event":12,"message":345,"queue":"1515010080:4"}"#)
        #expect(ZulipCursor(encoded: "s72_5_1") == nil)
    }
}

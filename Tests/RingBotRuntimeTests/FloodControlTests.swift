import Foundation
import Testing
import RingBotRuntime

@Suite struct FloodControlTests {
    let alice = ConversationKey(room: "!r:x", user: "@alice:x")
    let bob = ConversationKey(room: "!r:x", user: "@bob:x")
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func pastTheLimitAnswersSlowlyWithOneNoticeAndPastTheHardLimitRecords() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 3, window: 10, hardLimit: 5, coolDown: 60))
        let decisions = (0..<7).map { flood.admit(alice, sentAt: start.addingTimeInterval(Double($0) / 10)) }
        #expect(decisions == [.allow, .allow, .allow, .slow(notice: true), .slow(notice: false), .record, .record])
    }

    @Test func theDefaultsAnswerA30MessageBurstInFullWithOneNotice() {
        var flood = FloodControl(settings: FloodControlSettings())
        let decisions = (0..<30).map { flood.admit(alice, sentAt: start.addingTimeInterval(Double($0) / 10)) }
        #expect(!decisions.contains(.record))
        #expect(decisions.filter { $0 == .slow(notice: true) }.count == 1)
    }

    @Test func aBacklogSpreadOverServerTimeIsNotAFlood() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 3, window: 10))
        // All counted at once (as after downtime), but sent a minute apart.
        for minute in 0..<20 {
            #expect(flood.admit(alice, sentAt: start.addingTimeInterval(Double(minute) * 60)) == .allow)
        }
    }

    @Test func otherUsersAreUnaffected() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 1, window: 10))
        #expect(flood.admit(alice, sentAt: start) == .allow)
        #expect(flood.admit(alice, sentAt: start) == .slow(notice: true))
        #expect(flood.admit(bob, sentAt: start) == .allow)
        #expect(flood.admit(ConversationKey(room: "!other:x", user: alice.user), sentAt: start) == .allow)
    }

    @Test func zeroMaxMessagesTurnsItOff() {
        var flood = FloodControl(settings: .off)
        for _ in 0..<200 { #expect(flood.admit(alice, sentAt: start) == .allow) }
    }
}

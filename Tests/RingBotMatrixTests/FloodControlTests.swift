import Foundation
import Testing
import RingBotRuntime

@Suite struct FloodControlTests {
    let alice = ConversationKey(room: "!r:x", user: "@alice:x")
    let bob = ConversationKey(room: "!r:x", user: "@bob:x")
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func allowsUpToTheLimitThenWarnsOnceThenIgnoresUntilTheCoolDownEnds() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 3, window: 10, coolDown: 60))
        let decisions = (0..<6).map { flood.admit(alice, at: start.addingTimeInterval(Double($0))) }
        #expect(decisions == [.allow, .allow, .allow, .warn, .ignore, .ignore])
        #expect(flood.admit(alice, at: start.addingTimeInterval(62)) == .ignore)
        #expect(flood.admit(alice, at: start.addingTimeInterval(64)) == .allow)
    }

    @Test func otherUsersAreUnaffected() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 1, window: 10, coolDown: 60))
        #expect(flood.admit(alice, at: start) == .allow)
        #expect(flood.admit(alice, at: start) == .warn)
        #expect(flood.admit(bob, at: start) == .allow)
        #expect(flood.admit(ConversationKey(room: "!other:x", user: alice.user), at: start) == .allow)
    }

    @Test func messagesOutsideTheWindowDoNotCount() {
        var flood = FloodControl(settings: FloodControlSettings(maxMessages: 2, window: 10, coolDown: 60))
        for second in stride(from: 0.0, to: 100, by: 6) {
            #expect(flood.admit(alice, at: start.addingTimeInterval(second)) == .allow)
        }
    }

    @Test func zeroMaxMessagesTurnsItOff() {
        var flood = FloodControl(settings: .off)
        for _ in 0..<100 { #expect(flood.admit(alice, at: start) == .allow) }
    }
}

import Foundation
import Testing
@testable import RingBotRuntime
import RingBotTestSupport

@Suite struct FragmentBufferTests {
    let alice = ConversationKey(room: "!dm", user: "@alice")
    let bob = ConversationKey(room: "!dm2", user: "@bob")

    @Test func eachFragmentRestartsTheWaitButNeverPastTheBound() {
        var buffer = FragmentBuffer<String>(wait: .seconds(2), maxFragments: 3)
        let start = ContinuousClock.now
        buffer.start(alice, with: .test("a", "so"), flood: .allow, now: start)
        #expect(buffer.earliestDeadline == start + .seconds(2))
        let group = buffer.append(.test("b", "my whatsapp"), flood: .allow, to: alice, now: start + .seconds(1))
        #expect(group?.messages.map(\.id) == ["a", "b"])
        #expect(buffer.earliestDeadline == start + .seconds(3))
        _ = buffer.append(.test("c", "calls"), flood: .allow, to: alice, now: start + .seconds(5))
        #expect(buffer.earliestDeadline == start + .seconds(6))   // 3 × 2 s after the first
        #expect(buffer.contains("b", in: alice))
        #expect(!buffer.contains("b", in: bob))
    }

    @Test func dueGroupsComeOldestFirstAndTakeEmptiesTheBuffer() {
        var buffer = FragmentBuffer<String>(wait: .seconds(2), maxFragments: 8)
        let start = ContinuousClock.now
        buffer.start(bob, with: .test("b1", "hey"), flood: .allow, now: start)
        buffer.start(alice, with: .test("a1", "so"), flood: .allow, now: start + .seconds(1))
        #expect(buffer.due(at: start + .seconds(2)) == [bob])
        #expect(buffer.due(at: start + .seconds(3)) == [bob, alice])
        #expect(buffer.due(at: start, all: true) == [bob, alice])
        #expect(buffer.append(.test("x", "x"), flood: .allow, to: ConversationKey(room: "!o", user: "@o"), now: start) == nil)
        _ = buffer.take(bob)
        _ = buffer.take(alice)
        #expect(buffer.isEmpty)
    }
}

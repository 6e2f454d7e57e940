import Foundation
import Testing
@testable import RingBotRuntime
import RingBotTestSupport

@Suite struct PacedQueueTests {
    let alice = ConversationKey(room: "!dm", user: "@alice")
    let bob = ConversationKey(room: "!dm2", user: "@bob")

    @Test func oneMessagePerIntervalPerConversationInOrder() {
        var queue = PacedQueue<String>(interval: .seconds(1))
        let start = ContinuousClock.now
        queue.enqueue(.test("a1", "1"), for: alice, lastAnswer: start, now: start)
        queue.enqueue(.test("a2", "2"), for: alice, lastAnswer: start, now: start)
        queue.enqueue(.test("b1", "1"), for: bob, lastAnswer: nil, now: start)
        #expect(queue.earliestDue == start)
        #expect(queue.takeDue(at: start).map(\.1.id) == ["b1"])
        #expect(queue.takeDue(at: start + .milliseconds(999)).isEmpty)
        #expect(queue.takeDue(at: start + .seconds(1)).map(\.1.id) == ["a1"])
        #expect(queue.earliestDue == start + .seconds(2))
        #expect(queue.contains("a2", in: alice))
        #expect(queue.isQueued(alice) && !queue.isQueued(bob))
        #expect(queue.takeDue(at: start + .seconds(2)).map(\.1.id) == ["a2"])
        #expect(queue.isEmpty)
    }
}

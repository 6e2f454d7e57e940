import Foundation
import RingBotCore

/// A tiny knowledge base for tests that need an ``Assistant``.
func testAssistant() -> Assistant {
    let here = SourceLocation(file: "test.yaml", line: 1)
    let knowledge = KnowledgeBase(
        settings: KnowledgeSettings(),
        packs: [],
        lexicon: Lexicon(),
        intents: [Intent(id: "out_of_scope", title: "Out of scope", role: .fallback,
                         summary: "I cannot help with that.", location: here)])
    return Assistant(knowledge: knowledge)
}

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    // @unchecked: `now` is guarded by `lock`.
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

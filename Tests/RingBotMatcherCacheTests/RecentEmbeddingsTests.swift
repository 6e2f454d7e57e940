import Testing
@testable import RingBotMatcherCache

@Suite("Recent embeddings")
struct RecentEmbeddingsTests {
    @Test("a text asked again is not encoded again, and gives the same vector")
    func remembers() {
        let counting = CountingEmbedder()
        let recent = RecentEmbeddings(counting, capacity: 2)
        let first = recent.embed("my calls say calling")
        #expect(recent.embed("my calls say calling") == first)
        #expect(counting.calls == 1)
        #expect(recent.fingerprint == counting.fingerprint && recent.dimension == counting.dimension)
    }

    @Test("only the most recently used texts are kept")
    func forgetsTheOldest() {
        let counting = CountingEmbedder()
        let recent = RecentEmbeddings(counting, capacity: 2)
        _ = recent.embed("a")
        _ = recent.embed("b")
        _ = recent.embed("a")  // a is now the most recent
        _ = recent.embed("c")  // b goes
        #expect(counting.calls == 3)
        _ = recent.embed("a")
        #expect(counting.calls == 3)
        _ = recent.embed("b")
        #expect(counting.calls == 4)
    }
}

import Testing

@Suite struct RingBotKnowledgeSmoke {
    @Test func packageBuilds() { #expect(Bool(true)) }
}

import Testing

@Suite struct RingBotCoreSmoke {
    @Test func packageBuilds() { #expect(Bool(true)) }
}

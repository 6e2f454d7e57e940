import Testing

@Suite struct RingBotCLISmoke {
    @Test func packageBuilds() { #expect(Bool(true)) }
}

import Testing

@Suite struct RingBotHTTPSmoke {
    @Test func packageBuilds() { #expect(Bool(true)) }
}

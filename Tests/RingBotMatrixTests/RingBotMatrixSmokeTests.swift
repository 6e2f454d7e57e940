import Testing

@Suite struct RingBotMatrixSmoke {
    @Test func packageBuilds() { #expect(Bool(true)) }
}

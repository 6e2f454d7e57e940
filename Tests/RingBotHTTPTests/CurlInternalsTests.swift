import Testing
@testable import RingBotHTTP

@Suite struct CurlInternalsTests {
    @Test func headersResetOnEachStatusLine() {
        let accumulator = ResponseAccumulator(maxBodyBytes: 10)
        for line in ["HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n",
                     "HTTP/1.1 200 OK\r\n", "Content-Type:  text/plain \r\n", "X-Folded: a\r\n", "\tb\r\n", "\r\n"] {
            Array(line.utf8).withUnsafeBytes { accumulator.appendHeaderLine($0) }
        }
        #expect(accumulator.headers == ["content-type": "text/plain", "x-folded": "a b"])
    }

    @Test func bodyStopsAtTheLimit() {
        let accumulator = ResponseAccumulator(maxBodyBytes: 5)
        #expect([UInt8]([1, 2, 3]).withUnsafeBytes { accumulator.appendBody($0) } == true)
        #expect([UInt8]([4, 5]).withUnsafeBytes { accumulator.appendBody($0) } == true)
        #expect(!accumulator.exceededLimit)
        #expect([UInt8]([6]).withUnsafeBytes { accumulator.appendBody($0) } == false)
        #expect(accumulator.exceededLimit)
        #expect(accumulator.body == [1, 2, 3, 4, 5])
    }

    @Test(arguments: [
        (Duration.zero, 1), (.nanoseconds(1), 1), (.milliseconds(1500), 1500), (.seconds(-3), 1), (.seconds(30), 30_000),
    ])
    func timeoutsBecomePositiveMilliseconds(duration: Duration, milliseconds: Int) {
        #expect(CurlTransfer.milliseconds(duration) == milliseconds)
    }
}

import Foundation
import Testing
@testable import RingBotHTTP

@Suite struct RetryAfterTests {
    /// 1994-11-06 08:49:30 UTC, seven seconds before the RFC's example date.
    let now = Date(timeIntervalSince1970: 784_111_770)

    @Test(arguments: [("3", 3), ("0", 0), (" 120 ", 120), ("86400", 86_400)])
    func parsesDeltaSeconds(value: String, seconds: Int) {
        #expect(RetryAfter.parse(value, now: now) == .seconds(seconds))
    }

    @Test(arguments: ["-1", "+5", "1.5", "abc", "", "  ", "3 s", "0x10", "Sun, 06 Nov 1994"])
    func rejectsGarbage(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }

    @Test func rejectsAMissingHeader() {
        #expect(RetryAfter.parse(nil, now: now) == nil)
    }

    @Test func saturatesHugeDeltaSeconds() {
        let parsed = RetryAfter.parse("99999999999999999999999", now: now)
        #expect(parsed.map { $0 > .seconds(1_000_000_000) } == true)
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
        "Sun Nov  6 08:49:37 1994",        // asctime
    ])
    func parsesAllThreeHTTPDateForms(value: String) {
        #expect(RetryAfter.parse(value, now: now) == .seconds(7))
    }

    @Test func parsesADateRelativeToNow() {
        let later = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
        #expect(RetryAfter.parse("Thu, 01 Jan 2026 00:02:00 GMT", now: later) == .seconds(120))
    }

    @Test func aDateInThePastMeansNow() {
        #expect(RetryAfter.parse("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }

    @Test(arguments: [
        "Sun, 31 Feb 1994 08:49:37 GMT",  // no such day
        "Sun, 06 Nov 1994 25:49:37 GMT",  // no such hour
        "Sun, 06 Nov 1994 08:49:37 PST",  // must be GMT
        "Xyz, 06 Nov 1994 08:49:37 GMT",  // no such weekday
        "Sun, 06 Foo 1994 08:49:37 GMT",  // no such month
        "Sun, 06 Nov 1994 08:49 GMT",     // no seconds
    ])
    func rejectsInvalidDates(value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }

    @Test func responseExposesRetryAfterFromItsHeader() {
        #expect(HTTPResponse(status: 429, headers: ["retry-after": "42"]).retryAfter == .seconds(42))
        #expect(HTTPResponse(status: 429).retryAfter == nil)
    }
}

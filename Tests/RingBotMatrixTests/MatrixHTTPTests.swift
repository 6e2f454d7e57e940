import Foundation
import Testing
import RingBotTestSupport
import RingBotHTTP
import RingBotRuntime
@testable import RingBotMatrix

@Suite struct MatrixHTTPTests {
    func http(_ transport: FakeTransport, sleeps: SleepRecorder, logs: LogCapture = LogCapture()) -> MatrixHTTP {
        MatrixHTTP(baseURL: "https://hs.example/", transport: transport, logger: logs.logger,
                   policy: BackoffPolicy(initial: .seconds(1), cap: .seconds(60)),
                   sleep: sleeps.sleep, random: { 0 })
    }

    @Test func theTokenTravelsOnlyInTheAuthorizationHeaderAndPathsAreEncoded() async throws {
        let transport = FakeTransport { _, _ in json(200, ["event_id": "$e"]) }
        _ = try await http(transport, sleeps: SleepRecorder()).send(
            .put, MatrixPath.client("rooms", "!r:hs.example", "send", "m.room.message", "t/1"),
            body: ["body": "hi"], accessToken: "SECRET", purpose: "send")
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://hs.example/_matrix/client/v3/rooms/%21r%3Ahs.example/send/m.room.message/t%2F1")
        #expect(!request.url.contains("SECRET"))
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer SECRET" })
    }

    @Test func aRateLimitedRequestWaitsRetryAfterMsAndIsSentAgainUnchanged() async throws {
        let transport = FakeTransport { _, index in
            index == 0 ? json(429, ["errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 1500]) : json(200, [:])
        }
        let sleeps = SleepRecorder()
        _ = try await http(transport, sleeps: sleeps).send(.put, "/x", body: ["a": 1], purpose: "send")
        #expect(sleeps.all == [.milliseconds(1500)])
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0] == transport.requests[1])
    }

    @Test func aRateLimitWithoutBodyUsesTheRetryAfterHeader() async throws {
        let transport = FakeTransport { _, index in
            index == 0 ? HTTPResponse(status: 429, headers: ["retry-after": "3"]) : json(200, [:])
        }
        let sleeps = SleepRecorder()
        _ = try await http(transport, sleeps: sleeps).send(.get, "/x", purpose: "x")
        #expect(sleeps.all == [.seconds(3)])
    }

    @Test func networkErrorsAndServerErrorsBackOffAndAreLoggedOncePerChange() async throws {
        let transport = FakeTransport { _, index in
            switch index {
            case 0, 1: throw FakeNetworkError()
            case 2: return HTTPResponse(status: 502)
            default: return json(200, ["ok": true])
            }
        }
        let sleeps = SleepRecorder()
        let logs = LogCapture()
        let answer = try await http(transport, sleeps: sleeps, logs: logs).send(.get, "/x", purpose: "x")
        #expect(answer == ["ok": true])
        // random() == 0: half of 1 s, 2 s, 4 s.
        #expect(sleeps.all == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(logs.all.filter { $0.contains("connection lost") }.count == 1)
        #expect(logs.all.filter { $0.contains("connection restored") }.count == 1)
    }

    @Test func aSuccessThatIsNotJSONOrLacksTheRequiredKeyIsRetriedLikeAServerError() async throws {
        let transport = FakeTransport { _, index in
            switch index {
            case 0: return HTTPResponse(status: 200, body: Array("<html>captive portal".utf8))
            case 1: return HTTPResponse(status: 200, body: Array(#"{"next_batch": "s1""#.utf8))
            case 2: return json(200, ["unexpected": true])
            case 3: return json(200, ["a", "list"])
            default: return json(200, ["next_batch": "s1"])
            }
        }
        let sleeps = SleepRecorder()
        let logs = LogCapture()
        let answer = try await http(transport, sleeps: sleeps, logs: logs)
            .send(.get, "/sync", purpose: "sync", requiring: "next_batch")
        #expect(answer == ["next_batch": "s1"])
        #expect(transport.requests.count == 5)
        #expect(sleeps.all == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
        #expect(logs.all.filter { $0.contains("connection lost") }.count == 1)
        #expect(logs.all.contains { $0.contains("not JSON") })
        #expect(logs.all.filter { $0.contains("connection restored") }.count == 1)
    }

    @Test func anUnknownTokenIsThrownAsSuch() async throws {
        let transport = FakeTransport { _, _ in json(401, ["errcode": "M_UNKNOWN_TOKEN", "error": "Invalid token"]) }
        await #expect {
            try await http(transport, sleeps: SleepRecorder()).send(.get, "/x", purpose: "sync")
        } throws: { error in
            (error as? MatrixError)?.isUnknownToken == true
        }
    }

    @Test func otherClientErrorsAreThrownWithTheServersCode() async throws {
        let transport = FakeTransport { _, _ in json(403, ["errcode": "M_FORBIDDEN", "error": "nope"]) }
        do {
            _ = try await http(transport, sleeps: SleepRecorder()).send(.post, "/x", purpose: "join a room")
            Issue.record("expected an error")
        } catch let error as MatrixError {
            #expect(error.description == "join a room failed: HTTP 403 M_FORBIDDEN: nope")
        }
    }

    @Test func cancellationStopsTheRetries() async throws {
        let transport = FakeTransport { _, _ in throw FakeNetworkError() }
        let client = MatrixHTTP(baseURL: "https://hs.example", transport: transport, logger: LogCapture().logger,
                                sleep: { try await Task.sleep(for: $0) }, random: { 0 })
        let task = Task { try await client.send(.get, "/x", purpose: "x") }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}

@Suite struct BackoffPolicyTests {
    let policy = BackoffPolicy(initial: .seconds(1), cap: .seconds(60))

    @Test func doublesFromTheInitialDelayWithinTheJitterRange() {
        #expect(policy.delay(attempt: 0, random: { 0 }) == .milliseconds(500))
        #expect(policy.delay(attempt: 0, random: { 1 }) == .seconds(1))
        #expect(policy.delay(attempt: 3, random: { 0.5 }) == .seconds(6))
    }

    @Test func neverExceedsTheCap() {
        for attempt in 0..<100 {
            #expect(policy.delay(attempt: attempt, random: { 1 }) <= .seconds(60))
        }
        #expect(policy.delay(attempt: 40, random: { 0 }) == .seconds(30))
    }
}

import Foundation
import Testing
@testable import RingBotZulip

@Suite struct ZulipSettingsTests {
    func load(_ file: [String: String] = [:], env: [String: String], insecure: Bool = false) throws -> ZulipSettings {
        try ZulipSettings.load(file: { file[$0] }, fileNumber: { file[$0].flatMap(Double.init) },
                               environment: env, allowInsecureHTTP: insecure)
    }

    let complete = ["RINGBOT_ZULIP_SITE": "https://chat.example/", "RINGBOT_ZULIP_EMAIL": "bot@chat.example",
                    "RINGBOT_ZULIP_API_KEY": "k3y"]

    @Test func theEnvironmentWinsOverTheFile() throws {
        let settings = try load(["site": "https://other.example", "email": "x@other.example", "idle_queue_timeout_seconds": "3600"],
                                env: complete)
        #expect(settings == ZulipSettings(site: "https://chat.example", email: "bot@chat.example", apiKey: "k3y",
                                          idleQueueTimeout: 3600))
        #expect(!"\(settings)".contains("k3y"))
    }

    @Test func aZuliprcFileGivesTheCredentials() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zuliprc-\(UUID().uuidString)").path
        try "[api]\nemail=bot@chat.example\nkey = abc\nsite=https://chat.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try load(["zuliprc": path], env: [:])
        #expect(settings == ZulipSettings(site: "https://chat.example", email: "bot@chat.example", apiKey: "abc"))
    }

    @Test func missingOrUnsafeSettingsAreOneLineSayingWhatToDo() {
        #expect(throws: ZulipSettingsError.self) { try load(env: [:]) }
        var noKey = complete
        noKey["RINGBOT_ZULIP_API_KEY"] = nil
        let error = #expect(throws: ZulipSettingsError.self) { try load(env: noKey) }
        #expect(error?.description.contains("RINGBOT_ZULIP_API_KEY") == true)
        var plain = complete
        plain["RINGBOT_ZULIP_SITE"] = "http://chat.example"
        #expect(throws: ZulipSettingsError.self) { try load(env: plain) }
        #expect((try? load(env: plain, insecure: true))?.site == "http://chat.example")
        plain["RINGBOT_ZULIP_SITE"] = "http://127.0.0.1:9991"
        #expect((try? load(env: plain))?.site == "http://127.0.0.1:9991")
        var noCA = complete
        noCA["RINGBOT_ZULIP_CA_FILE"] = "/nonexistent/ca.pem"
        #expect(throws: ZulipSettingsError.self) { try load(env: noCA) }
    }

    @Test func theZuliprcParserReadsOnlyTheApiSection() throws {
        let rc = try Zuliprc(text: "# comment\n[other]\nkey=no\n[api]\nemail: a@b\nkey=k\ncert_bundle=/ca.pem\n", source: "rc")
        #expect(rc == Zuliprc(email: "a@b", key: "k", site: nil, certBundle: "/ca.pem"))
        #expect(throws: ZulipSettingsError.self) { try Zuliprc(text: "[api\n", source: "rc") }
    }
}

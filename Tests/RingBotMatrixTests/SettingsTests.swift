import Foundation
import Testing
import RingBotRuntime
@testable import RingBotMatrix

@Suite final class SettingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-settings-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    let base = [
        "RINGBOT_MATRIX_HOMESERVER": "https://matrix.example.org/",
        "RINGBOT_MATRIX_USER": "@ringbot:example.org",
        "RINGBOT_MATRIX_PASSWORD": "hunter2",
    ]

    func file(_ text: String) throws -> String {
        let path = directory.appendingPathComponent("\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func error(_ configFile: String? = nil, _ environment: [String: String], insecure: Bool = false) -> String? {
        do {
            _ = try MatrixSettings.load(configFile: configFile, environment: environment, allowInsecureHTTP: insecure)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func environmentAloneIsEnoughAndDefaultsApply() throws {
        let settings = try MatrixSettings.load(configFile: nil, environment: base)
        #expect(settings.bot.homeserver == "https://matrix.example.org")
        #expect(settings.bot.password == "hunter2")
        #expect(settings.bot.commandPrefix == "!ringbot")
        #expect(settings.stateDirectory == "./.ringbot-state")
        #expect(settings.bot.invitePolicy.acceptsEveryone)
    }

    @Test func theEnvironmentWinsOverTheFile() throws {
        let path = try file("""
            homeserver: https://other.example.org
            user: "@other:example.org"
            state_dir: /tmp/from-file
            support_rooms: ["!support:example.org"]
            invites:
              allow_users: ["@boss:example.org"]
              allow_servers: [example.org]
            flood: {max_messages: 3, window_seconds: 10, cool_down_seconds: 20}
            """)
        let settings = try MatrixSettings.load(configFile: path, environment: base)
        #expect(settings.bot.homeserver == "https://matrix.example.org")
        #expect(settings.bot.userID == "@ringbot:example.org")
        #expect(settings.stateDirectory == "/tmp/from-file")
        #expect(settings.bot.supportRooms == ["!support:example.org"])
        #expect(settings.bot.invitePolicy == InvitePolicy(allowedUsers: ["@boss:example.org"], allowedServers: ["example.org"]))
        #expect(settings.flood == .init(maxMessages: 3, window: 10, coolDown: 20))
    }

    @Test func secretsInTheFileAreRefused() throws {
        let path = try file("password: hunter2\n")
        #expect(error(path, base) == "\(path): `password` must not be in the config file (files leak into backups and repositories); remove it and set RINGBOT_MATRIX_PASSWORD in the environment instead")
        let tokenPath = try file("access_token: abc\n")
        #expect(error(tokenPath, base)?.contains("set RINGBOT_MATRIX_TOKEN in the environment") == true)
        #expect(error(tokenPath, base)?.contains("abc") == false)
    }

    @Test func missingSettingsNameTheVariable() {
        var environment = base
        environment["RINGBOT_MATRIX_HOMESERVER"] = nil
        #expect(error(nil, environment)?.hasPrefix("the homeserver is not set: set RINGBOT_MATRIX_HOMESERVER") == true)
        environment = base
        environment["RINGBOT_MATRIX_USER"] = ""
        #expect(error(nil, environment)?.hasPrefix("the bot's user is not set: set RINGBOT_MATRIX_USER") == true)
        environment = base
        environment["RINGBOT_MATRIX_PASSWORD"] = nil
        #expect(error(nil, environment)?.hasPrefix("no credentials: set RINGBOT_MATRIX_PASSWORD") == true)
    }

    @Test func badValuesAreExplained() throws {
        var environment = base
        environment["RINGBOT_MATRIX_USER"] = "ringbot"
        #expect(error(nil, environment)?.contains("not a full Matrix user id") == true)
        environment = base
        environment["RINGBOT_MATRIX_HOMESERVER"] = "matrix.example.org"
        #expect(error(nil, environment)?.contains("is not an http(s) URL") == true)
        let unknown = try file("homserver: https://x\n")
        #expect(error(unknown, base)?.contains("unknown setting `homserver`") == true)
        let badRoom = try file("support_rooms: ['#support:example.org']\n")
        #expect(error(badRoom, base)?.contains("is not a room id") == true)
        let notYAML = try file("a: [\n")
        #expect(error(notYAML, base)?.contains("not valid YAML") == true)
    }

    @Test func plainHTTPIsRefusedUnlessLoopbackOrAllowed() {
        var environment = base
        environment["RINGBOT_MATRIX_HOMESERVER"] = "http://matrix.example.org"
        #expect(error(nil, environment)?.hasPrefix("refusing http:// to matrix.example.org") == true)
        #expect(error(nil, environment, insecure: true) == nil)
        for loopback in ["http://127.0.0.1:8008", "http://localhost:8008", "http://[::1]:8008"] {
            environment["RINGBOT_MATRIX_HOMESERVER"] = loopback
            #expect(error(nil, environment) == nil, "\(loopback)")
        }
    }

    @Test func anUnquotedUserIdGetsAHintAndAMissingFileNoFoundationDump() throws {
        let unquoted = try file("homeserver: https://matrix.example.org\nuser: @ringbot:example.org\n")
        let message = try #require(error(unquoted, base))
        #expect(message.contains("line 2: a value starting with `@` must be quoted in YAML, e.g. user: \"@ringbot:example.org\""), "\(message)")
        let missing = directory.appendingPathComponent("nope.yaml").path
        #expect(error(missing, base) == "cannot read the config file \(missing): No such file or directory; check the --config path")
        #expect(error(directory.path, base)?.contains("NSCocoaErrorDomain") == false)
    }

    @Test func theRuntimeKeysAndTheirDefaults() throws {
        let defaults = try MatrixSettings.load(configFile: nil, environment: base).runtime
        #expect(defaults.flood == FloodControlSettings(maxMessages: 10, window: 60, slowInterval: 1, hardLimit: 100, coolDown: 60))
        #expect(defaults.fragmentWait == .seconds(2))
        #expect(defaults.pollTimeout == .seconds(30))
        let path = try file("""
            fragment_wait_seconds: 0.5
            sync_timeout_ms: 1000
            flood: {max_messages: 5, slow_interval_seconds: 2, hard_limit: 50}
            """)
        let runtime = try MatrixSettings.load(configFile: path, environment: base).runtime
        #expect(runtime.fragmentWait == .milliseconds(500))
        #expect(runtime.pollTimeout == .seconds(1))
        #expect(runtime.flood == FloodControlSettings(maxMessages: 5, slowInterval: 2, hardLimit: 50))
        let bad = try file("flood: {max_mesages: 5}\n")
        #expect(error(bad, base)?.contains("unknown key `flood.max_mesages`") == true)
        let negative = try file("flood: {hard_limit: -1}\n")
        #expect(error(negative, base)?.contains("`flood.hard_limit` must be a number of 0 or more") == true)
    }

    @Test func theDescriptionNeverShowsSecrets() throws {
        var environment = base
        environment["RINGBOT_MATRIX_TOKEN"] = "syt_secret"
        let settings = try MatrixSettings.load(configFile: nil, environment: environment)
        #expect(!"\(settings.bot)".contains("hunter2"))
        #expect(!"\(settings.bot)".contains("syt_secret"))
    }
}

@Suite struct InvitePolicyTests {
    @Test func emptyListsAcceptEveryone() {
        #expect(InvitePolicy().accepts(inviter: "@anyone:anywhere"))
    }

    @Test func listsRestrictToUsersAndServers() {
        let policy = InvitePolicy(allowedUsers: ["@boss:other.org"], allowedServers: ["example.org"])
        #expect(policy.accepts(inviter: "@boss:other.org"))
        #expect(policy.accepts(inviter: "@anyone:example.org"))
        #expect(!policy.accepts(inviter: "@eve:evil.org"))
        #expect(!policy.accepts(inviter: "@eve:notexample.org"))
        #expect(!policy.accepts(inviter: nil))
    }
}

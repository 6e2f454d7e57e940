import Foundation
import RingBotRuntime

/// Everything `ringbot matrix` is configured with, read from an optional YAML
/// file and the environment; environment variables win.
///
/// Secrets (the password and the access token) come only from the environment
/// (`RINGBOT_MATRIX_PASSWORD`, `RINGBOT_MATRIX_TOKEN`): a config file containing
/// `password` or `access_token` is refused, because config files end up in
/// repositories and backups.
///
/// The YAML file (every key optional):
///
/// ```yaml
/// homeserver: https://matrix.example.org
/// user: "@ringbot:example.org"
/// command_prefix: "!ringbot"        # "" for none
/// support_rooms: ["!abc:example.org"]
/// invites:
///   allow_users: ["@admin:example.org"]
///   allow_servers: ["example.org"]  # both empty or absent: accept every invite
/// sync_timeout_ms: 30000
/// # and the runtime's keys, the same for every platform (see RuntimeSettings.parse):
/// state_dir: /var/lib/ringbot
/// fragment_wait_seconds: 2
/// flood: {max_messages: 10, window_seconds: 60, slow_interval_seconds: 1, hard_limit: 100, cool_down_seconds: 60}
/// ```
public struct MatrixSettings: Sendable, Equatable {
    /// What the bot itself needs (homeserver, user, credentials, rooms, invites).
    public var bot: MatrixBotConfiguration
    /// `RINGBOT_STATE_DIR` or `state_dir:`; default ``defaultStateDirectory``.
    public var stateDirectory: String
    /// The runtime's settings (`flood:`, `fragment_wait_seconds:`; the poll wait is `sync_timeout_ms:`).
    public var runtime: RuntimeSettings
    /// The `flood:` section.
    public var flood: FloodControlSettings { runtime.flood }

    /// The environment variable names of the contract.
    public enum Variable {
        public static let homeserver = "RINGBOT_MATRIX_HOMESERVER"
        public static let user = "RINGBOT_MATRIX_USER"
        public static let password = "RINGBOT_MATRIX_PASSWORD"
        public static let token = "RINGBOT_MATRIX_TOKEN"
        public static let stateDirectory = "RINGBOT_STATE_DIR"
    }

    public static let defaultStateDirectory = StateFolder.defaultPath

    /// Every key the settings file may have: Matrix's and the runtime's.
    public static let knownKeys: Set<String> = SettingsFile.runtimeKeys.union([
        "homeserver", "user", "command_prefix", "support_rooms", "invites", "sync_timeout_ms",
    ])
    private static let secretKeys = ["password": Variable.password, "access_token": Variable.token,
                                     "token": Variable.token]

    /// Reads and validates the settings.
    /// - Parameters:
    ///   - configFile: the `--config` path, if given.
    ///   - environment: the process environment (injected for tests).
    ///   - allowInsecureHTTP: allow `http://` to a host that is not the loopback.
    public static func load(configFile: String?, environment: [String: String],
                            allowInsecureHTTP: Bool = false) throws(SettingsError) -> MatrixSettings {
        do {
            return try loadUnchecked(configFile: configFile, environment: environment, allowInsecureHTTP: allowInsecureHTTP)
        } catch let error as SettingsError {
            throw error
        } catch {
            throw SettingsError("\(error)")
        }
    }

    private static func loadUnchecked(configFile: String?, environment: [String: String],
                                      allowInsecureHTTP: Bool) throws -> MatrixSettings {
        let file = try SettingsFile.read(configFile, knownKeys: knownKeys, secretKeys: secretKeys)
        let source = file.source
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else { return nil }
            return value
        }
        func fileString(_ key: String) throws -> String? { try file.string(key) }

        guard var homeserver = try env(Variable.homeserver) ?? fileString("homeserver"), !homeserver.isEmpty else {
            throw SettingsError("the homeserver is not set: set \(Variable.homeserver) (or `homeserver:` in the config file) to its base URL, e.g. https://matrix.example.org")
        }
        while homeserver.hasSuffix("/") { homeserver.removeLast() }
        try validateHomeserver(homeserver, allowInsecureHTTP: allowInsecureHTTP)

        guard let user = try env(Variable.user) ?? fileString("user"), !user.isEmpty else {
            throw SettingsError("the bot's user is not set: set \(Variable.user) (or `user:` in the config file) to its full user id, e.g. @ringbot:example.org")
        }
        guard isUserID(user) else {
            throw SettingsError("\(Variable.user) (or `user:`) is \"\(user)\", which is not a full Matrix user id; write it as @name:server, e.g. @ringbot:example.org")
        }

        let password = env(Variable.password)
        let token = env(Variable.token)
        if password == nil && token == nil {
            throw SettingsError("no credentials: set \(Variable.password) (the bot logs in and keeps its token in the state folder) or \(Variable.token) (an access token)")
        }

        let stateDirectory = try StateFolder.path(environment: environment, file: file)
        let prefix = try fileString("command_prefix") ?? "!ringbot"

        let supportRooms = try file.stringList("support_rooms")
        for room in supportRooms where !room.hasPrefix("!") || !room.contains(":") {
            throw SettingsError("\(source): support_rooms entry \"\(room)\" is not a room id; write room ids like !abc123:example.org (not aliases)")
        }

        var invites = InvitePolicy()
        if let section = try file.section("invites", keys: ["allow_users", "allow_servers"]) {
            invites.allowedUsers = Set(try section.stringList("allow_users"))
            invites.allowedServers = Set(try section.stringList("allow_servers"))
            for user in invites.allowedUsers where !isUserID(user) {
                throw SettingsError("\(source): invites.allow_users entry \"\(user)\" is not a user id; write it as @name:server")
            }
        }

        var runtime = try RuntimeSettings.parse(file)
        var syncTimeout = 30_000
        if let value = try file.number("sync_timeout_ms") { syncTimeout = Int(value) }
        runtime.pollTimeout = .milliseconds(syncTimeout)

        let bot = MatrixBotConfiguration(
            homeserver: homeserver, userID: user, password: password, accessToken: token,
            commandPrefix: prefix, supportRooms: Set(supportRooms), invitePolicy: invites, syncTimeout: syncTimeout)
        return MatrixSettings(bot: bot, stateDirectory: stateDirectory, runtime: runtime)
    }

    /// `@localpart:server`, with a non-empty localpart and server.
    static func isUserID(_ text: String) -> Bool {
        guard text.hasPrefix("@"), let colon = text.firstIndex(of: ":") else { return false }
        return colon > text.index(after: text.startIndex) && colon < text.index(before: text.endIndex)
            && !text.contains(where: \.isWhitespace)
    }

    static func validateHomeserver(_ url: String, allowInsecureHTTP: Bool) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw SettingsError("the homeserver \"\(url)\" is not an http(s) URL; set \(Variable.homeserver) (or `homeserver:`) to a base URL like https://matrix.example.org")
        }
        if components.query != nil || components.user != nil || components.password != nil {
            throw SettingsError("the homeserver URL must not contain credentials or a query; set \(Variable.homeserver) to a plain base URL like https://matrix.example.org")
        }
        if scheme == "http" && !allowInsecureHTTP && !isLoopback(host) {
            throw SettingsError("refusing http:// to \(host): the password and access token would travel unencrypted; use an https:// homeserver URL, or pass --allow-insecure-http if you really mean it")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

import Foundation
import RingBotRuntime
import Yams

/// A setting that is missing or wrong. `description` is one line naming the
/// setting and what to do.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

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
/// state_dir: /var/lib/ringbot
/// command_prefix: "!ringbot"        # "" for none
/// support_rooms: ["!abc:example.org"]
/// invites:
///   allow_users: ["@admin:example.org"]
///   allow_servers: ["example.org"]  # both empty or absent: accept every invite
/// flood:
///   max_messages: 8                 # 0 turns flood control off
///   window_seconds: 30
///   cool_down_seconds: 60
/// sync_timeout_ms: 30000
/// ```
public struct MatrixSettings: Sendable, Equatable {
    /// What the bot itself needs (homeserver, user, credentials, rooms, invites).
    public var bot: MatrixBotConfiguration
    /// `RINGBOT_STATE_DIR` or `state_dir:`; default ``defaultStateDirectory``.
    public var stateDirectory: String
    /// The `flood:` section.
    public var flood: FloodControlSettings

    /// The environment variable names of the contract.
    public enum Variable {
        public static let homeserver = "RINGBOT_MATRIX_HOMESERVER"
        public static let user = "RINGBOT_MATRIX_USER"
        public static let password = "RINGBOT_MATRIX_PASSWORD"
        public static let token = "RINGBOT_MATRIX_TOKEN"
        public static let stateDirectory = "RINGBOT_STATE_DIR"
    }

    public static let defaultStateDirectory = "./.ringbot-state"

    private static let knownKeys: Set<String> = [
        "homeserver", "user", "state_dir", "command_prefix", "support_rooms", "invites", "flood", "sync_timeout_ms",
    ]
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
        let file = try configFile.map { path in try readYAML(path) } ?? [:]
        let source = configFile ?? "the config file"
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else { return nil }
            return value
        }
        func fileString(_ key: String) throws -> String? {
            guard let value = file[key] else { return nil }
            guard let text = value as? String else {
                throw SettingsError("\(source): `\(key)` must be a string")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }

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

        let stateDirectory = try env(Variable.stateDirectory) ?? fileString("state_dir") ?? defaultStateDirectory
        let prefix = try fileString("command_prefix") ?? "!ringbot"

        let supportRooms = try stringList(file["support_rooms"], key: "support_rooms", source: source)
        for room in supportRooms where !room.hasPrefix("!") || !room.contains(":") {
            throw SettingsError("\(source): support_rooms entry \"\(room)\" is not a room id; write room ids like !abc123:example.org (not aliases)")
        }

        var invites = InvitePolicy()
        if let section = file["invites"] {
            guard let table = section as? [String: Any] else {
                throw SettingsError("\(source): `invites` must be a mapping with allow_users and/or allow_servers")
            }
            for key in table.keys where key != "allow_users" && key != "allow_servers" {
                throw SettingsError("\(source): unknown key `invites.\(key)`; the keys are allow_users and allow_servers")
            }
            invites.allowedUsers = Set(try stringList(table["allow_users"], key: "invites.allow_users", source: source))
            invites.allowedServers = Set(try stringList(table["allow_servers"], key: "invites.allow_servers", source: source))
            for user in invites.allowedUsers where !isUserID(user) {
                throw SettingsError("\(source): invites.allow_users entry \"\(user)\" is not a user id; write it as @name:server")
            }
        }

        var flood = FloodControlSettings()
        if let section = file["flood"] {
            guard let table = section as? [String: Any] else {
                throw SettingsError("\(source): `flood` must be a mapping with max_messages, window_seconds, cool_down_seconds")
            }
            for key in table.keys where !["max_messages", "window_seconds", "cool_down_seconds"].contains(key) {
                throw SettingsError("\(source): unknown key `flood.\(key)`; the keys are max_messages, window_seconds and cool_down_seconds")
            }
            if let value = table["max_messages"] {
                flood.maxMessages = Int(try number(value, key: "flood.max_messages", source: source))
            }
            if let value = table["window_seconds"] {
                flood.window = try number(value, key: "flood.window_seconds", source: source)
            }
            if let value = table["cool_down_seconds"] {
                flood.coolDown = try number(value, key: "flood.cool_down_seconds", source: source)
            }
        }
        var syncTimeout = 30_000
        if let value = file["sync_timeout_ms"] {
            syncTimeout = Int(try number(value, key: "sync_timeout_ms", source: source))
        }

        let bot = MatrixBotConfiguration(
            homeserver: homeserver, userID: user, password: password, accessToken: token,
            commandPrefix: prefix, supportRooms: Set(supportRooms), invitePolicy: invites, syncTimeout: syncTimeout)
        return MatrixSettings(bot: bot, stateDirectory: stateDirectory, flood: flood)
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

    private static func readYAML(_ path: String) throws -> [String: Any] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SettingsError("cannot read the config file \(path): \(error.localizedDescription); check the --config path")
        }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw SettingsError("\(path): not valid YAML: \("\(error)".split(separator: "\n").first ?? "")")
        }
        guard let loaded else { return [:] }
        guard let table = loaded as? [String: Any] else {
            throw SettingsError("\(path): the config file must be a YAML mapping of settings (key: value)")
        }
        for (key, variable) in secretKeys where table[key] != nil {
            throw SettingsError("\(path): `\(key)` must not be in the config file (files leak into backups and repositories); remove it and set \(variable) in the environment instead")
        }
        for key in table.keys.sorted() where !knownKeys.contains(key) {
            throw SettingsError("\(path): unknown setting `\(key)`; the settings are \(knownKeys.sorted().joined(separator: ", "))")
        }
        return table
    }

    private static func stringList(_ value: Any?, key: String, source: String) throws -> [String] {
        guard let value else { return [] }
        guard let list = value as? [Any] else { throw SettingsError("\(source): `\(key)` must be a list of strings") }
        var out: [String] = []
        for item in list {
            guard let text = item as? String else { throw SettingsError("\(source): `\(key)` must be a list of strings") }
            out.append(text)
        }
        return out
    }

    private static func number(_ value: Any, key: String, source: String) throws -> Double {
        let number: Double? = (value as? Int).map(Double.init) ?? (value as? Double)
        guard let number, number >= 0, number.isFinite else {
            throw SettingsError("\(source): `\(key)` must be a number of 0 or more")
        }
        return number
    }
}

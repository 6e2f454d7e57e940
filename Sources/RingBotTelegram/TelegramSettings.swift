import Foundation
import RingBotRuntime

/// Everything `ringbot telegram` is configured with, from an optional YAML file and the environment
/// (environment variables win). The token comes only from the environment: a file with `token` is refused.
///
/// ```yaml
/// api_url: https://api.telegram.org   # RINGBOT_TELEGRAM_API
/// ca_file: /etc/ssl/my-proxy-ca.pem   # RINGBOT_TELEGRAM_CA_FILE: trust this CA instead of the system's
/// state_dir: /var/lib/ringbot         # RINGBOT_STATE_DIR
/// poll_timeout_seconds: 30            # the getUpdates long-poll wait (1 to 50)
/// fragment_wait_seconds: 2
/// flood: {max_messages: 8, window_seconds: 30}
/// ```
public struct TelegramSettings: Sendable, Equatable {
    public var token: TelegramToken
    /// The Bot API base URL without a trailing slash.
    public var apiURL: String
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    public var stateDirectory: String
    public var runtime: RuntimeSettings

    /// The environment variables of the contract (and `RINGBOT_TELEGRAM_CA_FILE`).
    public enum Variable {
        public static let token = "RINGBOT_TELEGRAM_TOKEN"
        public static let api = "RINGBOT_TELEGRAM_API"
        public static let caFile = "RINGBOT_TELEGRAM_CA_FILE"
    }

    public static let defaultAPIURL = "https://api.telegram.org"
    public static let knownKeys: Set<String> = SettingsFile.runtimeKeys.union(["api_url", "ca_file", "poll_timeout_seconds"])
    private static let secretKeys = ["token": Variable.token, "bot_token": Variable.token]

    /// Reads and validates the settings; errors are one line naming the setting and what to do.
    public static func load(configFile: String?, environment: [String: String]) throws(SettingsError) -> TelegramSettings {
        let file = try SettingsFile.read(configFile, knownKeys: knownKeys, secretKeys: secretKeys)
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        guard let secret = env(Variable.token) else {
            throw SettingsError("the bot token is not set: set \(Variable.token) to the token @BotFather gave the bot (it is read only from the environment)")
        }
        guard let token = TelegramToken(secret) else {
            throw SettingsError("\(Variable.token) is not a bot token: it looks like 123456789:AAE... (digits, a colon, then letters, digits, _ and -); copy it again from @BotFather")
        }
        let fileURL = try file.string("api_url")
        var apiURL = env(Variable.api) ?? fileURL ?? defaultAPIURL
        while apiURL.hasSuffix("/") { apiURL.removeLast() }
        try validate(apiURL)
        let fileCA = try file.string("ca_file")
        let caFile = env(Variable.caFile) ?? fileCA
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw SettingsError("the CA file \(caFile) (\(Variable.caFile) or `ca_file:`) cannot be read; give the path of a PEM file")
        }
        var runtime = try RuntimeSettings.parse(file)
        if let seconds = try file.number("poll_timeout_seconds") {
            guard (1...50).contains(seconds) else {
                throw SettingsError("\(file.source): `poll_timeout_seconds` is \(seconds); use 1 to 50 (the Bot API holds a poll at most 50 s)")
            }
            runtime.pollTimeout = .seconds(Int64(seconds))
        }
        let stateDirectory = try StateFolder.path(environment: environment, file: file)
        return TelegramSettings(token: token, apiURL: apiURL, caFile: caFile, stateDirectory: stateDirectory, runtime: runtime)
    }

    /// An `https://` URL, or `http://` to this machine; no credentials, query or fragment.
    static func validate(_ url: String) throws(SettingsError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw SettingsError("the Bot API URL \"\(url)\" is not an http(s) URL; set \(Variable.api) (or `api_url:`) to a base URL like \(defaultAPIURL)")
        }
        if components.query != nil || components.fragment != nil || components.user != nil || components.path.contains("/bot") {
            throw SettingsError("the Bot API URL must be a plain base URL like \(defaultAPIURL) (the bot adds /bot<token>/<method>); fix \(Variable.api) (or `api_url:`)")
        }
        let loopback = ["localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
        if scheme == "http" && !loopback {
            throw SettingsError("refusing http:// to \(host): the bot token is part of every request URL and would travel unencrypted; use https:// (http:// is allowed only to this machine)")
        }
    }
}

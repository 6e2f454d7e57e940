import Foundation

/// What `ringbot zulip` connects with, from the environment (which wins), the settings file and
/// a `zuliprc` file:
///
/// | variable | settings file | zuliprc |
/// | --- | --- | --- |
/// | `RINGBOT_ZULIP_SITE` | `site:` | `site=` |
/// | `RINGBOT_ZULIP_EMAIL` | `email:` | `email=` |
/// | `RINGBOT_ZULIP_API_KEY` | never (refused) | `key=` |
/// | `RINGBOT_ZULIPRC` | `zuliprc:` | |
/// | `RINGBOT_ZULIP_CA_FILE` | `ca_file:` | `cert_bundle=` |
/// | | `idle_queue_timeout_seconds:` | |
///
/// The API key is a secret: it comes only from the environment or the zuliprc file (which
/// Zulip's own tools keep it in), never from the settings file.
public struct ZulipSettings: Sendable, Equatable {
    public var site: String
    public var email: String
    public var apiKey: String
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var caFile: String?
    /// Seconds the server may keep the event queue while the bot is away.
    public var idleQueueTimeout: Int

    /// One day: a restart or an outage shorter than that resumes the same queue.
    public static let defaultIdleQueueTimeout = 86_400

    /// The variables of the command-line contract (and the additions).
    public enum Variable {
        public static let site = "RINGBOT_ZULIP_SITE"
        public static let email = "RINGBOT_ZULIP_EMAIL"
        public static let apiKey = "RINGBOT_ZULIP_API_KEY"
        public static let zuliprc = "RINGBOT_ZULIPRC"
        public static let caFile = "RINGBOT_ZULIP_CA_FILE"
    }

    /// The settings-file keys of the Zulip connector.
    public static let fileKeys: Set<String> = ["site", "email", "zuliprc", "ca_file", "idle_queue_timeout_seconds"]
    /// Keys refused in the settings file, with the variable to use instead.
    public static let secretKeys = ["api_key": Variable.apiKey, "key": Variable.apiKey]

    public init(site: String, email: String, apiKey: String, caFile: String? = nil,
                idleQueueTimeout: Int = defaultIdleQueueTimeout) {
        self.site = site
        self.email = email
        self.apiKey = apiKey
        self.caFile = caFile
        self.idleQueueTimeout = idleQueueTimeout
    }

    /// Reads the settings.
    /// - Parameters:
    ///   - file: the settings file's string value for a key (`nil` when absent).
    ///   - fileNumber: its numeric value for a key.
    ///   - environment: the process environment.
    ///   - allowInsecureHTTP: allow `http://` to a host that is not the loopback.
    public static func load(file: (String) throws -> String?, fileNumber: (String) throws -> Double?,
                            environment: [String: String], allowInsecureHTTP: Bool = false) throws -> ZulipSettings {
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else { return nil }
            return value
        }
        var rc = Zuliprc()
        if let path = try env(Variable.zuliprc) ?? file("zuliprc") {
            rc = try Zuliprc.read((path as NSString).expandingTildeInPath)
        }
        guard var site = try env(Variable.site) ?? file("site") ?? rc.site, !site.isEmpty else {
            throw ZulipSettingsError("the Zulip server is not set: set \(Variable.site) (or `site:` in the config file, or site= in a zuliprc) to its base URL, e.g. https://chat.example.org")
        }
        while site.hasSuffix("/") { site.removeLast() }
        try validateSite(site, allowInsecureHTTP: allowInsecureHTTP)
        guard let email = try env(Variable.email) ?? file("email") ?? rc.email, !email.isEmpty else {
            throw ZulipSettingsError("the bot's email is not set: set \(Variable.email) (or `email:` in the config file, or email= in a zuliprc) to the bot's email address, as shown in its Zulip settings")
        }
        guard email.contains("@"), !email.contains(where: \.isWhitespace) else {
            throw ZulipSettingsError("\(Variable.email) is \"\(email)\", which is not an email address; use the bot's email from its Zulip settings, e.g. ringbot-bot@chat.example.org")
        }
        guard let key = env(Variable.apiKey) ?? rc.key, !key.isEmpty else {
            throw ZulipSettingsError("no API key: set \(Variable.apiKey) to the bot's API key (or point \(Variable.zuliprc) at the zuliprc file downloaded from the bot's settings)")
        }
        let caFile = try env(Variable.caFile) ?? file("ca_file") ?? rc.certBundle
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ZulipSettingsError("the CA file \(caFile) cannot be read; set \(Variable.caFile) (or `ca_file:`) to a PEM file of the certificate authorities to trust")
        }
        var idle = defaultIdleQueueTimeout
        if let value = try fileNumber("idle_queue_timeout_seconds") {
            guard value >= 60, value <= 7 * 86_400 else {
                throw ZulipSettingsError("`idle_queue_timeout_seconds` must be between 60 and 604800 (a week, the server's maximum)")
            }
            idle = Int(value)
        }
        return ZulipSettings(site: site, email: email, apiKey: key, caFile: caFile, idleQueueTimeout: idle)
    }

    static func validateSite(_ url: String, allowInsecureHTTP: Bool) throws(ZulipSettingsError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty else {
            throw ZulipSettingsError("the Zulip server \"\(url)\" is not an http(s) URL; set \(Variable.site) (or `site:`) to a base URL like https://chat.example.org")
        }
        if components.query != nil || components.user != nil || components.password != nil {
            throw ZulipSettingsError("the Zulip server URL must not contain credentials or a query; set \(Variable.site) to a plain base URL like https://chat.example.org")
        }
        if scheme == "http" && !allowInsecureHTTP && !isLoopback(host) {
            throw ZulipSettingsError("refusing http:// to \(host): the API key would travel unencrypted; use an https:// URL, or pass --allow-insecure-http if you really mean it")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

extension ZulipSettings: CustomStringConvertible {
    /// The settings without the API key.
    public var description: String {
        "ZulipSettings(site: \(site), email: \(email), apiKey: <redacted>, caFile: \(caFile ?? "system"), idleQueueTimeout: \(idleQueueTimeout))"
    }
}

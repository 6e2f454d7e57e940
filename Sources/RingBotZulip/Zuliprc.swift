import Foundation

/// A `zuliprc` file, as Zulip's own tools write and read it (the "Download zuliprc" button of a
/// bot's settings):
///
/// ```ini
/// [api]
/// email=ringbot-bot@chat.example.org
/// key=abcdef123456
/// site=https://chat.example.org
/// ```
///
/// Only the `[api]` section is read: `email`, `key`, `site` and `cert_bundle`.
public struct Zuliprc: Sendable, Equatable {
    public var email: String?
    public var key: String?
    public var site: String?
    public var certBundle: String?

    public init(email: String? = nil, key: String? = nil, site: String? = nil, certBundle: String? = nil) {
        self.email = email
        self.key = key
        self.site = site
        self.certBundle = certBundle
    }

    /// Parses the file's text. `source` names the file in errors.
    public init(text: String, source: String) throws(ZulipSettingsError) {
        var section: String?
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw ZulipSettingsError("\(source):\(index + 1): a section header must look like [api]")
                }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ZulipSettingsError("\(source):\(index + 1): expected `name=value`")
            }
            guard section == "api" else { continue }
            let name = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            values[name] = value
        }
        self.init(email: values["email"], key: values["key"], site: values["site"], certBundle: values["cert_bundle"])
    }

    /// Reads and parses `path`.
    public static func read(_ path: String) throws(ZulipSettingsError) -> Zuliprc {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ZulipSettingsError("cannot read the zuliprc file \(path): \(error.localizedDescription); check RINGBOT_ZULIPRC (or `zuliprc:`)")
        }
        return try Zuliprc(text: text, source: path)
    }
}

/// A Zulip setting that is missing or wrong: one line naming it and what to do.
public struct ZulipSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

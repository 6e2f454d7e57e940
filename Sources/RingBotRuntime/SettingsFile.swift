import Foundation
import Yams

/// A setting that is missing or wrong. `description` is one line naming the
/// setting (and the file) and what to do.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A bot's YAML settings file (`--config FILE`), read once and queried by key with errors
/// that name the file and the key. Every platform's settings use it; the runtime's own keys
/// are ``runtimeKeys`` (see ``RuntimeSettings/parse(_:)``).
///
/// Secrets never belong in the file: ``read(_:knownKeys:secretKeys:)`` refuses them and
/// names the environment variable to use instead.
public struct SettingsFile {
    /// The path, or `nil` when no file was given (every key is then absent).
    public let path: String?
    private let table: [String: Any]

    /// The keys every platform accepts: `state_dir`, `flood`, `fragment_wait_seconds`.
    public static let runtimeKeys: Set<String> = ["state_dir", "flood", "fragment_wait_seconds"]

    /// How errors name the file.
    public var source: String { path ?? "the config file" }

    /// No file: every key absent.
    public init() {
        path = nil
        table = [:]
    }

    private init(path: String?, table: [String: Any]) {
        self.path = path
        self.table = table
    }

    /// Reads `path` (`nil`: no file).
    /// - Parameters:
    ///   - knownKeys: the top-level keys the platform accepts (add ``runtimeKeys``); others are
    ///     refused. `nil` accepts any key (for tools that read only a few, like the report).
    ///   - secretKeys: keys refused because they are secrets, with the variable to use instead.
    public static func read(_ path: String?, knownKeys: Set<String>?,
                            secretKeys: [String: String] = [:]) throws(SettingsError) -> SettingsFile {
        guard let path else { return SettingsFile() }
        let text = try readText(path)
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw SettingsError("\(path): not valid YAML: \(Self.yamlProblem(error, text: text))")
        }
        guard let loaded else { return SettingsFile(path: path, table: [:]) }
        guard let table = loaded as? [String: Any] else {
            throw SettingsError("\(path): the config file must be a YAML mapping of settings (key: value)")
        }
        for (key, variable) in secretKeys.sorted(by: { $0.key < $1.key }) where table[key] != nil {
            throw SettingsError("\(path): `\(key)` must not be in the config file (files leak into backups and repositories); remove it and set \(variable) in the environment instead")
        }
        for key in table.keys.sorted() where !(knownKeys?.contains(key) ?? true) {
            throw SettingsError("\(path): unknown setting `\(key)`; the settings are \((knownKeys ?? []).sorted().joined(separator: ", "))")
        }
        return SettingsFile(path: path, table: table)
    }

    private static func readText(_ path: String) throws(SettingsError) -> String {
        guard let handle = fopen(path, "r") else {
            let reason = String(cString: strerror(errno))
            throw SettingsError("cannot read the config file \(path): \(reason); check the --config path")
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count > 0 { bytes += buffer[0..<count] }
            if count < buffer.count {
                if ferror(handle) != 0 {
                    throw SettingsError("cannot read the config file \(path): \(String(cString: strerror(errno))); is it a folder?")
                }
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The scanner's first line, with a hint for the usual mistake: an unquoted value
    /// starting with `@` (a Matrix user id), which YAML reserves.
    static func yamlProblem(_ error: any Error, text: String) -> String {
        let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.drop { $0 == " " || $0 == "-" }
            if let colon = content.firstIndex(of: ":") {
                let value = content[content.index(after: colon)...].drop { $0 == " " }
                if value.hasPrefix("@") || value.hasPrefix("!") && !value.hasPrefix("!!") {
                    let key = content[..<colon]
                    return "line \(index + 1): a value starting with `\(value.first!)` must be quoted in YAML, e.g. \(key): \"\(value)\" (\(first))"
                }
            } else if content.hasPrefix("@") {
                return "line \(index + 1): a list item starting with `@` must be quoted in YAML, e.g. - \"\(content)\" (\(first))"
            }
        }
        return first
    }

    /// Whether the key is present.
    public func contains(_ key: String) -> Bool { table[key] != nil }

    /// A string value, trimmed; `nil` when absent.
    public func string(_ key: String) throws(SettingsError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value as? String else { throw SettingsError("\(source): `\(name(key))` must be a string") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A list of strings; empty when absent.
    public func stringList(_ key: String) throws(SettingsError) -> [String] {
        guard let value = table[key] else { return [] }
        guard let list = value as? [Any] else { throw SettingsError("\(source): `\(name(key))` must be a list of strings") }
        var out: [String] = []
        for item in list {
            guard let text = item as? String else { throw SettingsError("\(source): `\(name(key))` must be a list of strings") }
            out.append(text)
        }
        return out
    }

    /// A number of 0 or more; `nil` when absent.
    public func number(_ key: String) throws(SettingsError) -> Double? {
        guard let value = table[key] else { return nil }
        let number: Double? = (value as? Int).map(Double.init) ?? (value as? Double)
        guard let number, number >= 0, number.isFinite else {
            throw SettingsError("\(source): `\(name(key))` must be a number of 0 or more")
        }
        return number
    }

    /// A nested mapping with exactly the given keys allowed; `nil` when absent. Errors name
    /// its keys as `section.key`.
    public func section(_ key: String, keys: [String]) throws(SettingsError) -> SettingsFile? {
        guard let value = table[key] else { return nil }
        guard let nested = value as? [String: Any] else {
            throw SettingsError("\(source): `\(key)` must be a mapping with \(keys.joined(separator: ", "))")
        }
        for name in nested.keys.sorted() where !keys.contains(name) {
            throw SettingsError("\(source): unknown key `\(key).\(name)`; the keys are \(keys.joined(separator: ", "))")
        }
        var prefixed: [String: Any] = [:]
        for (name, value) in nested { prefixed[name] = value }
        return SettingsFile(path: path, table: prefixed, prefix: key)
    }

    private var prefix: String = ""

    private init(path: String?, table: [String: Any], prefix: String) {
        self.path = path
        self.table = table
        self.prefix = prefix
    }

    /// A key's name for errors (`flood.max_messages` inside a section).
    public func name(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
}

extension RuntimeSettings {
    /// The keys of the `flood:` section.
    public static let floodKeys = ["max_messages", "window_seconds", "slow_interval_seconds", "hard_limit", "cool_down_seconds"]

    /// The runtime's settings from the file's ``SettingsFile/runtimeKeys`` (defaults for absent keys).
    public static func parse(_ file: SettingsFile) throws(SettingsError) -> RuntimeSettings {
        var settings = RuntimeSettings()
        if let flood = try file.section("flood", keys: floodKeys) {
            func value(_ key: String) throws(SettingsError) -> Double? { try flood.number(key) }
            if let number = try value("max_messages") { settings.flood.maxMessages = Int(number) }
            if let number = try value("window_seconds") { settings.flood.window = number }
            if let number = try value("slow_interval_seconds") { settings.flood.slowInterval = number }
            if let number = try value("hard_limit") { settings.flood.hardLimit = Int(number) }
            if let number = try value("cool_down_seconds") { settings.flood.coolDown = number }
        }
        if let seconds = try file.number("fragment_wait_seconds") {
            guard seconds <= 30 else {
                throw SettingsError("\(file.source): `fragment_wait_seconds` is \(seconds); use a few seconds (0 to 30; 0 turns the wait off)")
            }
            settings.fragmentWait = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return settings
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bot's state folder, ready to use: created (mode 0700) if missing, locked against a
/// second bot, its database `ringbot.sqlite` open (mode 0600: it may hold access tokens).
/// Every platform's command opens it the same way.
public final class StateFolder: Sendable {
    /// `RINGBOT_STATE_DIR`, shared by every platform.
    public static let variable = "RINGBOT_STATE_DIR"
    /// Where the state goes when neither the variable nor `state_dir:` says.
    public static let defaultPath = "./.ringbot-state"
    /// The database's file name inside the folder.
    public static let databaseName = "ringbot.sqlite"

    public let path: String
    public let store: StateStore
    private let lock: StateDirectoryLock
    /// Problems worth a warning at start (e.g. a folder other users can read).
    public let warnings: [String]

    /// The folder from `RINGBOT_STATE_DIR`, else `state_dir:` of the settings file, else ``defaultPath``.
    public static func path(environment: [String: String], file: SettingsFile) throws(SettingsError) -> String {
        if let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
            return value
        }
        return try file.string("state_dir").flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
    }

    /// The database path inside `folder`.
    public static func databasePath(in folder: String) -> String {
        (folder as NSString).appendingPathComponent(databaseName)
    }

    /// Creates, locks and opens the folder.
    /// - Parameter migrations: the adapter's own tables (see ``StateStore/init(path:migrations:)``).
    /// - Throws: ``StateStoreError`` with one line saying what is wrong and what to do.
    public init(path: String, migrations: StateStore.Migrations? = nil) throws(StateStoreError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StateStoreError("the state folder \(path) is a file, not a folder; set \(Self.variable) (or `state_dir:`) to a folder the bot may write")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw Self.problem(path, reason: Self.creationReason(path))
        }
        do {
            lock = try StateDirectoryLock(directory: path)
        } catch {
            throw StateStoreError("\(error)")
        }
        do {
            store = try StateStore(path: Self.databasePath(in: path), migrations: migrations)
        } catch let error as StateStoreError {
            throw Self.problem(path, reason: error.description)
        } catch {
            throw Self.problem(path, reason: "\(error)".split(separator: "\n").joined(separator: " "))
        }
        var warnings: [String] = []
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            warnings.append("the state folder \(path) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); it holds the bot's access token: run chmod 700 \(path)")
        }
        self.warnings = warnings
    }

    /// Why `path` could not be created: the first ancestor that exists and cannot be written.
    static func creationReason(_ path: String) -> String {
        let ancestor = existingAncestor(path)
        if access(ancestor, W_OK) != 0 {
            return "\(ancestor) is not writable by this user (\(String(cString: strerror(errno))))"
        }
        return "it cannot be created"
    }

    /// `path` or its nearest ancestor that exists.
    static func existingAncestor(_ path: String) -> String {
        var ancestor = (path as NSString).standardizingPath
        while !FileManager.default.fileExists(atPath: ancestor) && ancestor != "/" && !ancestor.isEmpty {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        return ancestor.isEmpty ? "." : ancestor
    }

    /// One line for a folder that cannot be used, with the full-disk case told apart.
    static func problem(_ folder: String, reason: String) -> StateStoreError {
        var stats = statvfs()
        let nearlyFull = statvfs(existingAncestor(folder), &stats) == 0 && UInt64(stats.f_bavail) * UInt64(stats.f_frsize) < 1 << 20
        if nearlyFull || reason.contains("disk is full") || reason.contains("No space left") {
            return StateStoreError("the disk holding the state folder \(folder) is full (\(reason)); free some space, or set \(variable) to a folder on another disk")
        }
        return StateStoreError("cannot use the state folder \(folder): \(reason); check \(variable) (or `state_dir:`) and that the bot's user may write there")
    }
}

import Foundation

/// Where RingBot keeps what it can rebuild (compiled matchers, packed encoder weights): one
/// root folder, each kind of entry in a folder of its own below it.
public enum CacheRoot {
    /// The environment variable that moves the whole cache.
    public static let environmentVariable = "RINGBOT_CACHE_DIR"

    /// `$RINGBOT_CACHE_DIR/<name>` when set and not empty, else `$XDG_CACHE_HOME/ringbot/<name>`,
    /// else `~/.cache/ringbot/<name>`.
    public static func directory(_ name: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true).appendingPathComponent(name, isDirectory: true)
        }
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            cache = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache", isDirectory: true)
        }
        return cache.appendingPathComponent("ringbot/\(name)", isDirectory: true)
    }
}

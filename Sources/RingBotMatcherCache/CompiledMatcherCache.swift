import Foundation
import RingBotCachePaths
import RingBotCore

/// A folder of compiled matchers, one file per cache key (`<key>.matcher`), written
/// atomically (a temporary file in the same folder, then a rename), so a crash or a
/// second process never leaves a half-written entry. Old entries are pruned.
public struct CompiledMatcherCache: Sendable {
    /// The environment variable that moves the whole cache (compiled matchers and packed encoder weights).
    public static let environmentVariable = CacheRoot.environmentVariable
    /// Entries kept; older ones are removed after each store.
    public static let keep = 4

    /// The folder holding the entries.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$RINGBOT_CACHE_DIR/compiled`, else `$XDG_CACHE_HOME/ringbot/compiled` (`~/.cache/...` by default).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        CacheRoot.directory("compiled", environment: environment)
    }

    /// The file of `key`.
    public func file(for key: String) -> URL {
        directory.appendingPathComponent("\(key).matcher")
    }

    /// What looking up a key found.
    public enum Lookup: Sendable {
        case hit(CompiledMatcher)
        case missing
        /// The entry exists but cannot be used (damaged, or written for another key); it will be rebuilt.
        case unusable(String)
    }

    /// The compiled matcher stored under `key`, if it is whole and really for that key.
    public func load(key: String) -> Lookup {
        let url = file(for: key)
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { return .missing }
        do {
            let (compiled, _) = try CompiledMatcherFile.decode(data)
            guard compiled.key == key else { return .unusable("\(url.path) was written for another key") }
            return .hit(compiled)
        } catch {
            return .unusable("\(url.path): \(error)")
        }
    }

    /// The embeddings of the newest entry made with the same embedder, for reuse by the next
    /// compile (texts that did not change are not encoded again); empty when there is none.
    public func reusableEmbeddings(embedderFingerprint: String) -> [String: [Float]] {
        for url in entries().reversed() {
            guard let data = try? Data(contentsOf: url, options: .mappedIfSafe),
                  let (compiled, embedder) = try? CompiledMatcherFile.decode(data),
                  embedder == embedderFingerprint else { continue }
            return compiled.embeddingsByText
        }
        return [:]
    }

    /// Stores `compiled` under its key, atomically, then prunes old entries.
    /// - Throws: a `CocoaError` when the folder cannot be made or written.
    public func store(_ compiled: CompiledMatcher, embedderFingerprint: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try CompiledMatcherFile.encode(compiled, embedder: embedderFingerprint)
        // `.atomic` writes a temporary file beside the target and renames it over.
        try data.write(to: file(for: compiled.key), options: .atomic)
        prune(keeping: file(for: compiled.key))
    }

    /// The entries, oldest first.
    func entries() -> [URL] {
        let urls = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return urls.filter { $0.pathExtension == "matcher" }.sorted { a, b in
            let dateA = (try? a.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let dateB = (try? b.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return (dateA, a.path) < (dateB, b.path)
        }
    }

    /// Removes all but the newest ``keep`` entries; `current` (just written) always stays,
    /// whatever the file system's timestamp resolution.
    private func prune(keeping current: URL) {
        let others = entries().filter { $0.standardizedFileURL != current.standardizedFileURL }
        for url in others.dropLast(Self.keep - 1) { try? FileManager.default.removeItem(at: url) }
    }
}

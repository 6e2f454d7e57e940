import Foundation
import RingBotCore
import RingBotDigest

/// The cache key of a compiled matcher: SHA-256 over everything its weights depend on:
/// the matcher's format version, its tuning, the embedder's fingerprint (model and
/// weights), and every knowledge file's path and text.
public enum CompileCacheKey {
    /// 64 hex digits; any change to an input gives another key.
    public static func make(sources: [(path: String, text: String)], tuning: MatcherTuning,
                            embedderFingerprint: String) -> String {
        var input = Data()
        func add(_ text: String) {
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
        }
        add("ringbot-compiled-matcher")
        add(CompiledMatcher.formatVersion)
        add(String(describing: tuning))
        add(embedderFingerprint)
        for source in sources {
            add(source.path)
            add(source.text)
        }
        return SHA256.hex(bytes: input)
    }
}

import RingBotCore
import Synchronization

/// An embedder that remembers the embeddings of the last few texts it was asked for.
///
/// A chat message is often read more than once within moments: the runtime asks the dialogue
/// whether a message is complete (on a copy of the conversation), then answers it; fragments
/// are read again joined. Each reading would run the encoder (milliseconds); this returns the
/// same vector, bit for bit, from memory instead. Safe to share between threads.
public final class RecentEmbeddings: SentenceEmbedder {
    private let base: any SentenceEmbedder
    private let capacity: Int
    /// Most recently used last.
    private let entries = Mutex<[(text: String, vector: [Float])]>([])

    /// - Parameter capacity: how many texts are remembered (at least 1).
    public init(_ base: any SentenceEmbedder, capacity: Int = 32) {
        self.base = base
        self.capacity = max(1, capacity)
    }

    public var dimension: Int { base.dimension }
    public var fingerprint: String { base.fingerprint }

    public func embed(_ text: String) -> [Float] {
        let remembered: [Float]? = entries.withLock { entries in
            guard let index = entries.lastIndex(where: { $0.text == text }) else { return nil }
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.vector
        }
        if let remembered { return remembered }
        // Computed outside the lock: other threads keep reading while the encoder runs.
        let vector = base.embed(text)
        entries.withLock { entries in
            if !entries.contains(where: { $0.text == text }) { entries.append((text, vector)) }
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
        return vector
    }
}

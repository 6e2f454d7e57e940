import RingBotCore

/// Loads a folder of knowledge YAML files into a ``KnowledgeBase``. (Being written.)
public enum KnowledgeLoader {
    /// Loads and validates every `*.yaml` below `directory`.
    /// - Throws: ``KnowledgeError`` listing every problem as `FILE:LINE: message`.
    public static func load(directory: String) throws(KnowledgeError) -> KnowledgeBase {
        KnowledgeBase(settings: KnowledgeSettings(), packs: [], lexicon: Lexicon(), intents: [])
    }
}

import Foundation
import RingBotCore
import RingBotKnowledge

/// The knowledge of the repository (`Knowledge/`), and a tiny one for tests that need
/// only an assistant.
public enum TestKnowledge {
    /// The package root, found from this file (Tests/RingBotTestSupport/Knowledge.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let directory = packageRoot.appendingPathComponent("Knowledge").path

    private static let loaded: Result<Assistant, KnowledgeError> = {
        do throws(KnowledgeError) {
            return .success(Assistant(knowledge: try KnowledgeLoader.load(directory: directory)))
        } catch {
            return .failure(error)
        }
    }()

    /// The assistant on the real knowledge (loaded once); throws the loader's problems.
    public static func real() throws -> Assistant {
        try loaded.get()
    }

    /// An assistant that knows nothing: every message gets the fallback.
    public static func tiny() -> Assistant {
        let here = SourceLocation(file: "test.yaml", line: 1)
        let knowledge = KnowledgeBase(
            settings: KnowledgeSettings(),
            packs: [],
            lexicon: Lexicon(),
            intents: [Intent(id: "out_of_scope", title: "Out of scope", role: .fallback,
                             summary: "I cannot help with that.", location: here)])
        return Assistant(knowledge: knowledge)
    }
}

import Foundation
import RingBotCore
import RingBotKnowledge

/// The real knowledge of the repository, loaded once for every core test.
enum RealKnowledge {
    /// The package root: three levels up from this file (Tests/RingBotCoreTests/Support.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory = packageRoot.appendingPathComponent("Knowledge").path

    private static let loaded: Result<Assistant, KnowledgeError> = {
        do throws(KnowledgeError) {
            return .success(Assistant(knowledge: try KnowledgeLoader.load(directory: directory)))
        } catch {
            return .failure(error)
        }
    }()

    /// The assistant built from `Knowledge/`; throws the loader's problems if it does not load.
    static func assistant() throws -> Assistant {
        try loaded.get()
    }
}

/// A fixed clock for dialogue tests: the core reads no clock, so tests pass `now` explicitly.
let t0 = Date(timeIntervalSince1970: 1_750_000_000)

/// A location for hand-built knowledge values.
func loc(_ file: String = "test.yaml", _ line: Int = 1) -> SourceLocation {
    SourceLocation(file: file, line: line)
}

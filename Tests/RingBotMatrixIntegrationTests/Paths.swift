import Foundation
import RingBotTestSupport

/// Where the repository's pieces are, found from this file's path (not the working directory).
enum Paths {
    /// The repository root.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let knowledge = repository.appendingPathComponent("Knowledge").path
    static let harness = repository.appendingPathComponent("Tests/Support/synapse/synapse-harness.py").path

    /// The built `ringbot`, next to the test bundle.
    static func ringbot() throws -> String { try IntegrationSupport.ringbot() }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> String { try IntegrationSupport.temporaryDirectory("it", name) }
}

import Foundation
import RingBotTestSupport

/// Where the repository's pieces are, found from this file's path (not the working directory).
enum ZulipPaths {
    /// The repository root.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let knowledge = repository.appendingPathComponent("Knowledge").path
    static let support = repository.appendingPathComponent("Tests/Support/zulip")
    static let fakeServer = support.appendingPathComponent("fake_zulip.py").path
    static let clientCheck = support.appendingPathComponent("check_with_client.py").path

    /// The virtualenv with Zulip's Python client (`make test` creates it).
    static var clientVenv: String {
        ProcessInfo.processInfo.environment["RINGBOT_ZULIP_VENV"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ringbot/zulip-venv")
    }

    /// The built `ringbot`, next to the test bundle.
    static func ringbot() throws -> String { try IntegrationSupport.ringbot() }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> String { try IntegrationSupport.temporaryDirectory("zulip", name) }
}

/// The Zulip tests' name for the shared set-up error.
typealias ZulipTestError = IntegrationError

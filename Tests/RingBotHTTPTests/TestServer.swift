import Foundation

/// The Python fixture server (Fixtures/test_server.py), started once per test process.
///
/// It exits when its stdin reaches EOF, which happens when this process ends and the
/// pipe's write end (held here) closes, so no server outlives the tests.
final class TestServer: @unchecked Sendable {
    enum StartError: Error { case noPortLine(String) }

    let port: Int
    let tlsPort: Int
    /// A port nothing listens on: connecting is refused.
    let closedPort: Int
    private let process: Process
    private let stdin: Pipe

    /// The shared server; a failure to start fails each test that uses it.
    static let shared: Result<TestServer, any Error> = Result { try TestServer() }

    static func get() throws -> TestServer { try shared.get() }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixtures.appendingPathComponent("test_server.py").path]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // EOF: the server died
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count == 6, words[0] == "PORT", let port = Int(words[1]), let tlsPort = Int(words[3]),
              let closedPort = Int(words[5]) else {
            process.terminate()
            throw StartError.noPortLine(String(decoding: line, as: UTF8.self))
        }
        self.port = port
        self.tlsPort = tlsPort
        self.closedPort = closedPort
    }

    /// `http://127.0.0.1:<port><path>`
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// `https://127.0.0.1:<tlsPort><path>`
    func tlsURL(_ path: String) -> String { "https://127.0.0.1:\(tlsPort)\(path)" }
}

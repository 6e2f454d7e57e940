import Foundation
import Testing

/// Runs the built `ringbot` executable.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Labelled data copied into the repository, so a clone stands alone.
    static let data = packageRoot.appendingPathComponent("Tests/Data")
    static let devTSV = data.appendingPathComponent("dev.tsv").path
    static let heldoutTSV = data.appendingPathComponent("heldout.tsv").path
    static let knowledge = packageRoot.appendingPathComponent("Knowledge").path

    /// The `ringbot` next to the test bundle, else `.build/debug/ringbot` of this package.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["RINGBOT_BINARY"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        let bundle = Bundle.main.bundleURL
        candidates.append(bundle.appendingPathComponent("ringbot"))
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("ringbot"))
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ringbot"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        Issue.record("""
            The ringbot executable was not found (looked at \(candidates.map(\.path).joined(separator: ", "))). \
            Build it first: swift build --build-tests
            """)
        throw CLIError.binaryMissing
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs `ringbot arguments`, feeding `input` on stdin (from a file, or through a pipe).
    /// Runs the binary; `environment` adds variables to (or, with nil, removes them from) the test's own.
    static func run(_ arguments: [String], input: Data = Data(), viaPipe: Bool = false,
                    cwd: URL? = nil, environment extra: [String: String?] = [:]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("in"), outURL = scratch.appendingPathComponent("out"),
            errURL = scratch.appendingPathComponent("err")
        try input.write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        environment["RINGBOT_TUNING"] = nil
        for (name, value) in extra { environment[name] = value }
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        let pipe = Pipe()
        let inputFile = try FileHandle(forReadingFrom: inURL)
        defer { try? inputFile.close() }
        process.standardInput = viaPipe ? pipe : inputFile
        try process.run()
        if viaPipe {
            try pipe.fileHandleForWriting.write(contentsOf: input)
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        let stdout = try Data(contentsOf: outURL), stderr = try Data(contentsOf: errURL)
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func run(_ arguments: [String], lines: [String], viaPipe: Bool = false, cwd: URL? = nil,
                    environment: [String: String?] = [:]) throws -> Result {
        try run(arguments, input: Data(lines.map { $0 + "\n" }.joined().utf8), viaPipe: viaPipe, cwd: cwd,
                environment: environment)
    }

    /// Each stdout line parsed as a JSON object.
    static func objects(_ result: Result, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try result.stdoutLines.map { line in
            let value = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
            return try #require(value as? [String: Any], "not a JSON object: \(line)", sourceLocation: sourceLocation)
        }
    }
}

enum CLIError: Error { case binaryMissing }

/// A temporary folder for generated inputs.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-cli-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// `FILE:LINE: message`
func isProblemLine(_ line: String) -> Bool {
    line.range(of: #"^[^\s:][^:]*:[0-9]+: \S.*$"#, options: .regularExpression) != nil
}

import Foundation
import RingBotTestSupport
import Testing

/// Runs `ringbot` with `arguments` and `environment` (added to a clean one) and returns status and stderr.
func runRingbot(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = String(decoding: data, as: UTF8.self)
    // No secret of the environment in the output, whatever the test.
    let secrets = ["RINGBOT_MATRIX_PASSWORD", "RINGBOT_MATRIX_TOKEN"].compactMap { environment[$0] }
    if let leak = firstSecretLine(in: stderr, secrets: secrets) {
        Issue.record("a secret appears in the stderr of ringbot \(arguments.joined(separator: " ")): \(leak)")
    }
    return (process.terminationStatus, stderr)
}

/// `ringbot matrix` start-up checks, through the built binary.
@Suite struct MatrixCommandLineTests {
    let complete = [
        "RINGBOT_MATRIX_HOMESERVER": "https://matrix.example.org",
        "RINGBOT_MATRIX_USER": "@ringbot:example.org",
        "RINGBOT_MATRIX_PASSWORD": "s3cret-Password",
    ]

    @Test(arguments: [
        ("RINGBOT_MATRIX_HOMESERVER", "error: the homeserver is not set: set RINGBOT_MATRIX_HOMESERVER"),
        ("RINGBOT_MATRIX_USER", "error: the bot's user is not set: set RINGBOT_MATRIX_USER"),
        ("RINGBOT_MATRIX_PASSWORD", "error: no credentials: set RINGBOT_MATRIX_PASSWORD"),
    ])
    func aMissingSettingIsOneLineNamingItAndExitStatus2(missing: String, message: String) throws {
        var environment = complete
        environment[missing] = nil
        let (status, stderr) = try runRingbot(["matrix", "--knowledge", Paths.knowledge], environment: environment)
        #expect(status == 2)
        #expect(stderr.hasPrefix(message))
        #expect(stderr.split(separator: "\n").count == 1)
    }

    @Test func plainHTTPToAnotherHostIsRefusedWithoutLeakingThePassword() throws {
        var environment = complete
        environment["RINGBOT_MATRIX_HOMESERVER"] = "http://matrix.example.org"
        let (status, stderr) = try runRingbot(["matrix", "--knowledge", Paths.knowledge], environment: environment)
        #expect(status == 2)
        #expect(stderr.contains("--allow-insecure-http"))
        #expect(!stderr.contains("s3cret-Password"))
    }

    @Test func aPasswordInTheConfigFileIsRefused() throws {
        let directory = try Paths.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/ringbot.yaml"
        try "password: from-the-file\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (status, stderr) = try runRingbot(["matrix", "--knowledge", Paths.knowledge, "--config", config],
                                              environment: complete)
        #expect(status == 2)
        #expect(stderr.contains("`password` must not be in the config file"))
        #expect(!stderr.contains("from-the-file"))
    }

    @Test func reportingOnAFolderWithoutStateSaysWhatToDo() throws {
        let (status, stderr) = try runRingbot(["report", "unanswered", "--state-dir", "/nonexistent/ringbot"],
                                              environment: [:])
        #expect(status == 1)
        #expect(stderr.hasPrefix("error: no bot state in /nonexistent/ringbot"))
    }

    /// A start on `stateDirectory` (the homeserver is never reached): status, and the stderr lines.
    func start(stateDirectory: String) throws -> (status: Int32, lines: [Substring]) {
        var environment = complete
        environment["RINGBOT_MATRIX_HOMESERVER"] = "http://127.0.0.1:1"
        environment["RINGBOT_STATE_DIR"] = stateDirectory
        let (status, stderr) = try runRingbot(["matrix", "--knowledge", Paths.knowledge], environment: environment)
        return (status, stderr.split(separator: "\n"))
    }

    @Test func aStateFolderThatIsAFileIsOneClearErrorLine() throws {
        let directory = try Paths.temporaryDirectory("state-file")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/state"
        try "not a folder".write(toFile: path, atomically: true, encoding: .utf8)
        let (status, lines) = try start(stateDirectory: path)
        #expect(status == 1)
        #expect(lines == ["error: the state folder \(path) is a file, not a folder; set RINGBOT_STATE_DIR (or `state_dir:`) to a folder the bot may write"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a folder")
    }

    /// Tests run as root, which ignores permission bits: the folder is made immutable (`chattr +i`) instead.
    @Test func aReadOnlyStateFolderIsOneClearErrorLineAndGetsNoStore() throws {
        let directory = try Paths.temporaryDirectory("state-readonly")
        try shell("chattr", "+i", directory)
        defer {
            try? shell("chattr", "-i", directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let (status, lines) = try start(stateDirectory: directory)
        #expect(status == 1)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: ") == true)
        #expect(lines.first?.contains(directory) == true)
        #expect(lines.first?.contains("permission") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    }

    /// A 2 MiB tmpfs (needs root, as the tests run here), filled up before the bot starts.
    @Test func aFullDiskIsOneClearErrorLineAndLeavesAStoreThatOpensOnceThereIsSpace() throws {
        let mountPoint = try Paths.temporaryDirectory("state-full")
        try shell("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint)
        defer {
            try? shell("umount", mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let filler = mountPoint + "/filler"
        let block = Data(repeating: 7, count: 4096)
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        while (try? handle.write(contentsOf: block)) != nil {}
        try handle.close()
        let state = mountPoint + "/state"
        let (status, lines) = try start(stateDirectory: state)
        #expect(status == 1)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("error: the disk holding the state folder \(state) is full") == true, "\(lines)")
        // With space again, what it left behind opens as a valid (empty) store.
        try FileManager.default.removeItem(atPath: filler)
        let report = try runRingbot(["report", "unanswered", "--state-dir", state], environment: [:])
        #expect(report.status == 0, "\(report.stderr)")
    }
}

/// Runs a system tool; throws its stderr when it fails.
func shell(_ tool: String, _ arguments: String...) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw IntegrationError("\(tool) \(arguments.joined(separator: " ")) failed (these tests need root): \(String(decoding: data, as: UTF8.self))")
    }
}

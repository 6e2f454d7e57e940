import Foundation
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
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
}

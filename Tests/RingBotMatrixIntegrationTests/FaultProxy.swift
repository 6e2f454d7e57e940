import Foundation
import RingBotTestSupport
import RingBotHTTP

/// Tests/Support/synapse/fault-proxy.py between the bot and Synapse, on the loopback:
/// passes requests through, or injects one fault mode at a time (switched at run time
/// through its control port). Stopped by `deinit` (its stdin closes and it is terminated).
final class FaultProxy {
    enum Mode: String {
        case pass, drop, garbage, badjson, stall
        case serverErrors = "5xx"
        case rateLimited = "429"
    }

    /// What the proxy has done so far.
    struct Stats: Decodable {
        var mode: String
        var requests: Int
        var served: [String: Int]
        /// Stalled requests the client gave up on (closed the connection).
        var abandoned: Int

        func count(_ mode: Mode) -> Int { served[mode.rawValue] ?? 0 }
    }

    let port: Int
    let controlPort: Int
    let logPath: String
    var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let input: Pipe
    private let http = CurlHTTPClient()

    static let script = Paths.repository.appendingPathComponent("Tests/Support/synapse/fault-proxy.py").path

    /// Starts the proxy in front of `upstream`; its stderr (one line per request) goes to `logPath`.
    init(upstream: String, logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--upstream", upstream]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        do {
            try process.run()
        } catch {
            throw IntegrationError("cannot run python3 \(Self.script): \(error); install python3")
        }
        // The first line is "PROXY_PORT CONTROL_PORT", printed once both listen.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let ports = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard ports.count == 2 else {
            process.terminate()
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw IntegrationError("the fault proxy did not start: \(log.suffix(1000))")
        }
        self.process = process
        self.input = input
        port = ports[0]
        controlPort = ports[1]
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Switches to `mode`, for the next `count` requests (then back to pass) or until the next
    /// switch; with `method`, only for requests with that method (the others pass).
    func set(_ mode: Mode, count: Int? = nil, method: String? = nil) async throws {
        _ = try await control("/mode?name=\(mode.rawValue)" + (count.map { "&count=\($0)" } ?? "")
                              + (method.map { "&method=\($0)" } ?? ""))
    }

    func stats() async throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: Data(try await control("/stats")))
    }

    /// Everything the proxy wrote to stderr (mode, method and path per request).
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    private func control(_ path: String) async throws -> [UInt8] {
        let response = try await http.send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(controlPort)\(path)"))
        guard response.status == 200 else {
            throw IntegrationError("fault proxy \(path): HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body
    }
}

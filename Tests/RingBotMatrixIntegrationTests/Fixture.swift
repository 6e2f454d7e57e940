import Foundation

/// One homeserver with a bot user and a human user, and a `ringbot matrix` process for the bot.
final class Fixture {
    static let botName = "ringbot"
    static let botPassword = "bot-Pa55word-\(UUID().uuidString.prefix(6))"
    let server: SynapseServer
    let bot: BotProcess
    let botID: String
    let alice: MatrixTestClient
    let directory: String

    /// - Parameter config: the bot's YAML settings (flood control off unless given).
    init(name: String, lowRateLimit: Bool = false, config: String = "flood: {max_messages: 0}\n") async throws {
        server = try SynapseServer(lowRateLimit: lowRateLimit)
        botID = try server.register(Self.botName, password: Self.botPassword)
        try server.register("alice", password: "alice-pw")
        directory = try Paths.temporaryDirectory(name)
        let configPath = directory + "/ringbot.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        bot = try BotProcess(homeserver: server.baseURL, user: botID, password: Self.botPassword,
                             stateDirectory: directory + "/state", config: configPath)
        try await bot.start()
        alice = try await MatrixTestClient.login(server, name: "alice", password: "alice-pw")
    }

    deinit {
        // Set RINGBOT_IT_KEEP=1 to keep the bot's state and log for a post-mortem.
        if ProcessInfo.processInfo.environment["RINGBOT_IT_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Runs `ringbot report unanswered` on the bot's state folder and returns its stdout.
    func unansweredReport() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
        process.arguments = ["report", "unanswered", "--state-dir", bot.stateDirectory]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw IntegrationError("report unanswered exited \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A direct chat between `client` and the bot, once the bot has joined.
    func directChat(with client: MatrixTestClient) async throws -> String {
        let room = try await client.createRoom(invite: [botID], direct: true)
        try await waitFor("the bot to join the direct chat") {
            try await client.membership(of: self.botID, in: room) == "join" ? true : nil
        }
        return room
    }

    /// The bot's access token, read from its state database (for the no-secrets check).
    func storedAccessToken() throws -> String {
        let script = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select access_token from session').fetchone()[0])"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, bot.stateDirectory + "/ringbot.sqlite"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !token.isEmpty else { throw IntegrationError("no stored access token") }
        return token
    }
}

/// What the local chat (`ringbot repl --json`) answers to the same turns: the oracle
/// for the Matrix replies (same knowledge, same dialogue).
struct ReplTurn: Decodable {
    var intent: String
    var platform: String?
    var reply: String
}

func replTurns(_ lines: [String]) throws -> [ReplTurn] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Paths.ringbot())
    process.arguments = ["repl", "--json", "--knowledge", Paths.knowledge]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(ReplTurn.self, from: Data($0)) }
}

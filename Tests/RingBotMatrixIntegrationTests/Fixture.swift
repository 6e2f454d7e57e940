import Foundation
import RingBotTestSupport
import Testing

/// One homeserver with a bot user and a human user, and a `ringbot matrix` process for the bot.
final class Fixture {
    static let botName = "ringbot"
    /// With a space, `/`, `+` and `&`, so its URL-encoded forms differ from the raw one.
    static let botPassword = "bot Pa55/w+rd&\(UUID().uuidString.prefix(6))"
    let server: SynapseServer
    let bot: BotProcess
    let botID: String
    let alice: MatrixTestClient
    let proxy: FaultProxy?
    let directory: String

    /// - Parameter config: the bot's YAML settings (flood control off unless given).
    /// - Parameter knowledge: the bot's `--knowledge` folder.
    /// - Parameter throughFaultProxy: the bot talks to Synapse through a ``FaultProxy`` (``proxy``);
    ///   the human users always talk to Synapse directly.
    init(name: String, lowRateLimit: Bool = false, config: String = "flood: {max_messages: 0}\n",
         knowledge: String = Paths.knowledge, throughFaultProxy: Bool = false) async throws {
        server = try await SynapseServer.make(lowRateLimit: lowRateLimit)
        botID = try await server.register(Self.botName, password: Self.botPassword)
        try await server.register("alice", password: "alice-pw")
        directory = try Paths.temporaryDirectory(name)
        let configPath = directory + "/ringbot.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        proxy = throughFaultProxy ? try FaultProxy(upstream: server.baseURL, logPath: directory + "/fault-proxy.log") : nil
        bot = try BotProcess(homeserver: proxy?.baseURL ?? server.baseURL, user: botID,
                             password: Self.botPassword, stateDirectory: directory + "/state", config: configPath,
                             knowledge: knowledge)
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
        let report = String(decoding: data, as: UTF8.self)
        if let leak = firstSecretLine(in: report, secrets: [Self.botPassword] + bot.seenTokens.sorted()) {
            Issue.record("a secret appears in `ringbot report unanswered`: \(leak)")
        }
        return report
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
    func storedAccessToken() throws -> String { try bot.storedAccessToken() }
}

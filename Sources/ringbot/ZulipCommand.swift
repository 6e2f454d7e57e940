import ArgumentParser
import Foundation
import Logging
import RingBotHTTP
import RingBotRuntime
import RingBotZulip

/// `ringbot zulip`: runs the bot on a Zulip server until SIGINT/SIGTERM.
/// Wiring only: settings, then the Zulip adapter on the shared runtime (``BotRunner``).
struct ZulipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zulip",
        abstract: "Run the bot on a Zulip server until SIGINT or SIGTERM.",
        discussion: """
            Settings come from --config FILE (YAML) and these environment variables,
            which win:
              RINGBOT_ZULIP_SITE     the server's base URL, e.g. https://chat.example.org
              RINGBOT_ZULIP_EMAIL    the bot's email address
              RINGBOT_ZULIP_API_KEY  the bot's API key
              RINGBOT_ZULIPRC        a zuliprc file (from the bot's settings) instead
              RINGBOT_ZULIP_CA_FILE  a PEM file of CAs to trust (a server's own CA)
              RINGBOT_STATE_DIR      state folder (default ./.ringbot-state)
            The API key is accepted only from the environment or a zuliprc file.
            Direct messages are all answered; in channels, messages that mention the
            bot (@**RingBot**) and follow-ups in a topic where it answered.
            SIGHUP reloads the knowledge without stopping.
            """)

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Option(name: .long, help: ArgumentHelp("A YAML settings file.", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Allow http:// to a server that is not on this machine (sends the API key unencrypted).")
    var allowInsecureHttp = false

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not a level; use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings: ZulipSettings
        let runtime: RuntimeSettings
        let statePath: String
        do {
            let file = try SettingsFile.read(config, knownKeys: ZulipSettings.fileKeys.union(SettingsFile.runtimeKeys),
                                             secretKeys: ZulipSettings.secretKeys)
            settings = try ZulipSettings.load(file: { try file.string($0) }, fileNumber: { try file.number($0) },
                                              environment: environment, allowInsecureHTTP: allowInsecureHttp)
            runtime = try RuntimeSettings.parse(file)
            statePath = try StateFolder.path(environment: environment, file: file)
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(2)
        }
        BotRunner.bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        let assistant = try await knowledgeOptions.loadAssistant()
        let logger = Logger(label: "ringbot.zulip")
        let folder = try BotRunner.openStateFolder(statePath, migrations: nil, logger: logger)
        let transport = CurlHTTPClient(configuration: .init(caBundlePath: settings.caFile),
                                       logger: Logger(label: "ringbot.http"))
        let api = ZulipAPI(site: settings.site, email: settings.email, apiKey: settings.apiKey, transport: transport)
        let platform = ZulipPlatform(api: api, idleQueueTimeout: settings.idleQueueTimeout, logger: logger)
        logger.info("Zulip server", metadata: ["url": "\(settings.site)", "bot": "\(settings.email)"])
        try await BotRunner.run(platform, assistant: assistant, folder: folder, settings: runtime,
                                knowledge: knowledgeOptions, configFile: config, logger: logger)
    }
}

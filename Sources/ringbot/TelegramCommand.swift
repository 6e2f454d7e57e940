import ArgumentParser
import Foundation
import Logging
import RingBotHTTP
import RingBotRuntime
import RingBotTelegram

/// `ringbot telegram`: runs the bot on Telegram's Bot API until SIGINT/SIGTERM.
/// Wiring only: settings, then the Telegram adapter on the shared runtime (``BotRunner``).
struct TelegramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telegram",
        abstract: "Run the bot on Telegram (Bot API, getUpdates long poll) until SIGINT or SIGTERM.",
        discussion: """
            Settings come from --config FILE (YAML) and these variables, which win:
              RINGBOT_TELEGRAM_TOKEN    the bot token from @BotFather (environment only)
              RINGBOT_TELEGRAM_API      Bot API base URL (https://api.telegram.org);
                                        http:// only to this machine
              RINGBOT_TELEGRAM_CA_FILE  a PEM file of CA certificates to trust instead
              RINGBOT_STATE_DIR         state folder (default ./.ringbot-state)
            Private chats: every message is answered. Groups: /ask, /help, mentions
            of the bot and replies to it. The settings keys are in the README.
            SIGHUP reloads the knowledge without stopping.
            """)

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Option(name: .long, help: ArgumentHelp("A YAML settings file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not a level; use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        let settings: TelegramSettings
        do {
            settings = try TelegramSettings.load(configFile: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(2)
        }
        BotRunner.bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        let assistant = try await knowledgeOptions.loadAssistant()
        let logger = Logger(label: "ringbot.telegram")
        let folder = try BotRunner.openStateFolder(settings.stateDirectory, migrations: nil, logger: logger)
        // No logger on the HTTP client: the token is in every URL path, and the client logs paths.
        let transport = CurlHTTPClient(configuration: .init(caBundlePath: settings.caFile))
        let api = TelegramBotAPI(baseURL: settings.apiURL, token: settings.token, transport: transport,
                                 logger: Logger(label: "ringbot.telegram.api"))
        let platform = TelegramPlatform(api: api, store: folder.store, logger: logger)
        logger.info("Bot API", metadata: ["url": "\(settings.apiURL)"])
        try await BotRunner.run(platform, assistant: assistant, folder: folder, settings: settings.runtime,
                                knowledge: knowledgeOptions, configFile: config, logger: logger)
    }
}

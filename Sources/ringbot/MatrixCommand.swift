import ArgumentParser
import Foundation
import Logging
import RingBotHTTP
import RingBotMatrix
import RingBotRuntime

/// `ringbot matrix`: runs the bot on a Matrix homeserver until SIGINT/SIGTERM.
/// Wiring only: settings, then the Matrix adapter on the shared runtime (``BotRunner``).
struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Run the bot on a Matrix homeserver until SIGINT or SIGTERM.",
        discussion: """
            Settings come from --config FILE (YAML) and these environment variables, which win:
              RINGBOT_MATRIX_HOMESERVER  base URL, e.g. https://matrix.example.org
              RINGBOT_MATRIX_USER        the bot's user id, e.g. @ringbot:example.org
              RINGBOT_MATRIX_PASSWORD    password, to log in when no token is stored
              RINGBOT_MATRIX_TOKEN       access token (instead of a password)
              RINGBOT_STATE_DIR          state folder (default ./.ringbot-state)
            The password and token are accepted only from the environment.
            The settings file's keys are listed in the README (operator guide).
            SIGHUP reloads the knowledge without stopping.
            """)

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Option(name: .long, help: ArgumentHelp("A YAML settings file.", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Allow http:// to a homeserver that is not on this machine (sends credentials unencrypted).")
    var allowInsecureHttp = false

    @Option(name: .long, help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not a level; use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        let settings: MatrixSettings
        do {
            settings = try MatrixSettings.load(configFile: config, environment: ProcessInfo.processInfo.environment,
                                               allowInsecureHTTP: allowInsecureHttp)
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(2)
        }
        BotRunner.bootstrapLogging(level: Logger.Level(rawValue: logLevel) ?? .info)
        let assistant = try knowledgeOptions.loadAssistant()
        let logger = Logger(label: "ringbot.matrix")
        let folder = try BotRunner.openStateFolder(settings.stateDirectory, migrations: MatrixStore.migrations,
                                                   logger: logger)
        // The runtime owns retries: each request is tried once, failures go back to it.
        let http = MatrixHTTP(baseURL: settings.bot.homeserver,
                              transport: CurlHTTPClient(logger: Logger(label: "ringbot.http")),
                              logger: Logger(label: "ringbot.matrix.http"), maxFailures: 0)
        let platform = MatrixPlatform(configuration: settings.bot, client: MatrixClient(http: http),
                                      store: MatrixStore(folder.store), logger: logger)
        logger.info("homeserver", metadata: ["url": "\(settings.bot.homeserver)", "user": "\(settings.bot.userID)"])
        try await BotRunner.run(platform, assistant: assistant, folder: folder, settings: settings.runtime, knowledge: knowledgeOptions,
                                configFile: config, logger: logger)
    }
}

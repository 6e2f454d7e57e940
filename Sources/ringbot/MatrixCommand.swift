import ArgumentParser
import Dispatch
import Foundation
import Logging
import RingBotCore
import RingBotHTTP
import RingBotKnowledge
import RingBotMatrix
import RingBotRuntime

/// `ringbot matrix`: runs the bot on a Matrix homeserver until SIGINT/SIGTERM.
/// Wiring only: settings, logging, the state folder, the bot, signals.
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
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "ringbot.matrix")

        let assistants = AssistantBox(try await knowledgeOptions.loadAssistant())
        let lock: StateDirectoryLock
        let store: StateStore
        do {
            try FileManager.default.createDirectory(atPath: settings.stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            lock = try StateDirectoryLock(directory: settings.stateDirectory)
            store = try StateStore(path: (settings.stateDirectory as NSString).appendingPathComponent("ringbot.sqlite"))
        } catch let error as StateDirectoryLock.Failure {
            Stderr.write("error: \(error)")
            throw ExitCode(1)
        } catch {
            Stderr.write("error: " + Self.stateFolderProblem(settings.stateDirectory, error))
            throw ExitCode(1)
        }

        let engine = BotEngine(assistants: assistants, store: store, flood: settings.flood,
                               logger: Logger(label: "ringbot.engine"))
        let http = MatrixHTTP(baseURL: settings.bot.homeserver,
                              transport: CurlHTTPClient(logger: Logger(label: "ringbot.http")),
                              logger: Logger(label: "ringbot.matrix.http"))
        let bot = MatrixBot(configuration: settings.bot, client: MatrixClient(http: http), store: store,
                            engine: engine, logger: logger)

        let runTask = Task { try await bot.run() }
        let signals = SignalHandlers()
        signals.onStop {
            logger.notice("stop requested; finishing the reply in flight")
            bot.requestStop()
            // A reply that cannot be delivered (server down) must not hold the exit forever.
            DispatchQueue.global().asyncAfter(deadline: .now() + 15) { runTask.cancel() }
        }
        signals.onReload {
            // A changed knowledge folder is compiled again for the hybrid matcher: off the pool, in the background.
            Task {
                do {
                    assistants.replace(with: try await knowledgeOptions.reloadAssistant())
                    logger.notice("knowledge reloaded")
                } catch {
                    logger.error("knowledge reload failed; keeping the previous knowledge", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { withExtendedLifetime((signals, lock)) {} }
        do {
            try await runTask.value
        } catch let error as MatrixBotError {
            logger.critical("\(error.description)")
            Stderr.write("error: \(error.description)")
            throw ExitCode(1)
        } catch {
            logger.critical("stopping after an unexpected error", metadata: ["error": "\(error)"])
            Stderr.write("error: \(error)")
            throw ExitCode(1)
        }
    }
}

extension MatrixCommand {
    /// One line saying why the state folder cannot be used and what to do.
    static func stateFolderProblem(_ folder: String, _ error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            return "the state folder \(folder) is a file, not a folder; set RINGBOT_STATE_DIR (or `state_dir:`) to a folder the bot may write"
        }
        let text = "\(error)".split(separator: "\n").joined(separator: " ")
        var stats = statvfs()
        let nearlyFull = statvfs(folder, &stats) == 0 && UInt64(stats.f_bavail) * UInt64(stats.f_frsize) < 1 << 20
        if nearlyFull || text.contains("disk is full") || text.contains("No space left") {
            return "the disk holding the state folder \(folder) is full (\(text)); free some space, or set RINGBOT_STATE_DIR to a folder on another disk"
        }
        return "cannot open the state folder \(folder): \(text); check RINGBOT_STATE_DIR and that the bot's user may write there"
    }
}

/// SIGINT/SIGTERM and SIGHUP as Dispatch sources (the default handlers are turned off).
private final class SignalHandlers: @unchecked Sendable {
    // @unchecked: `sources` is written only during set-up, on one thread, before any handler runs.
    private var sources: [any DispatchSourceSignal] = []

    func onStop(_ handler: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] { install(number, handler) }
    }

    func onReload(_ handler: @escaping @Sendable () -> Void) {
        install(SIGHUP, handler)
    }

    private func install(_ number: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        sources.append(source)
    }

    deinit {
        for source in sources { source.cancel() }
    }
}


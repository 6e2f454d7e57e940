import ArgumentParser
import Foundation
import Logging
import RingBotCore
import RingBotRuntime

/// What every platform command (`ringbot matrix`, `telegram`, `zulip`) does once its
/// settings are read: logging, the state folder, the knowledge, the runtime, signals
/// (SIGINT/SIGTERM stop, SIGHUP reloads the knowledge) and the exit status with one
/// `error:` line on a failure.
enum BotRunner {
    /// Sets up swift-log on stderr at `level` (once per process).
    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
    }

    /// Opens the state folder (one `error:` line and exit 1 when it cannot be used).
    static func openStateFolder(_ path: String, migrations: StateStore.Migrations?, logger: Logger) throws -> StateFolder {
        let folder: StateFolder
        do {
            folder = try StateFolder(path: path, migrations: migrations)
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(1)
        }
        for warning in folder.warnings { logger.warning("\(warning)") }
        return folder
    }

    /// Runs `platform` until a stop signal (exit 0) or a permanent failure (one `error:` line, exit 1).
    /// - Parameters:
    ///   - assistant: built by the command before anything else (bad knowledge: exit 2 before any state is made).
    static func run<Platform: ChatPlatform>(_ platform: Platform, assistant: Assistant, folder: StateFolder,
                                            settings: RuntimeSettings, knowledge: KnowledgeOptions, configFile: String?,
                                            logger: Logger) async throws {
        let assistants = AssistantBox(assistant)
        logger.info("starting", metadata: [
            "knowledge": "\((try? knowledge.directory()) ?? "?")", "intents": "\(assistant.knowledge.intents.count)",
            "settings": "\(configFile ?? "environment only")", "state_dir": "\(folder.path)",
        ])
        let runtime = ChatRuntime(platform: platform, store: folder.store, assistants: assistants, settings: settings,
                                  logger: logger)
        let task = Task { try await runtime.run() }
        let signals = ProcessSignals(onStop: {
            logger.notice("stop requested")
            runtime.requestStop()
            // The runtime bounds a reply in flight by its stop grace; this only guards against a hang.
            Task {
                try? await Task.sleep(for: settings.stopGrace + .seconds(5))
                task.cancel()
            }
        }, onReload: {
            do {
                let reloaded = try Assistant(knowledge: knowledge.loadKnowledgeQuietly(), tuning: knowledge.tuning())
                assistants.replace(with: reloaded)
                logger.notice("knowledge reloaded", metadata: ["intents": "\(reloaded.knowledge.intents.count)"])
            } catch {
                logger.error("knowledge reload failed; keeping the previous knowledge", metadata: ["error": "\(error)"])
            }
        })
        defer { withExtendedLifetime((signals, folder)) {} }
        do {
            try await task.value
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(1)
        }
    }
}

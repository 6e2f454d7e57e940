import ArgumentParser
import Foundation

/// `ringbot`: the root command. With no subcommand it opens the local chat.
@main
struct RingBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ringbot",
        abstract: "A support assistant for WhatsApp calls that show \"Calling\" instead of \"Ringing\".",
        version: "0.1.0",
        subcommands: [
            ReplCommand.self,
            ClassifyCommand.self,
            EvalCommand.self,
            KBCommand.self,
            MatrixCommand.self,
            TelegramCommand.self,
            ZulipCommand.self,
            ReportCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )

    /// Runs the command line. Exit status follows the contract: 0 success, 1 runtime
    /// failure, 2 bad usage or bad input files (ArgumentParser's own usage code is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Stderr.write(message) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

import ArgumentParser

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
            ReportCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )
}

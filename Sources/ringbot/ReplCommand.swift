import ArgumentParser

/// `ringbot repl`. (Being written.)
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "repl")
    @OptionGroup var knowledgeOptions: KnowledgeOptions
    func run() async throws {}
}

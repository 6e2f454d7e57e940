import ArgumentParser

/// `ringbot eval`. (Being written.)
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval")
    @OptionGroup var knowledgeOptions: KnowledgeOptions
    func run() async throws {}
}

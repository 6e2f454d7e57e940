import ArgumentParser

/// `ringbot classify`. (Being written.)
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify")
    @OptionGroup var knowledgeOptions: KnowledgeOptions
    func run() async throws {}
}

import ArgumentParser

/// `ringbot kb`. (Being written.)
struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kb")
    @OptionGroup var knowledgeOptions: KnowledgeOptions
    func run() async throws {}
}

import ArgumentParser
import RingBotCore
import RingBotKnowledge

/// `ringbot kb`: knowledge tools.
struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Knowledge base tools.",
        subcommands: [KBCheckCommand.self]
    )
}

/// `ringbot kb check`: validates the knowledge folder.
struct KBCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the knowledge folder; print problems as FILE:LINE: message (exit 2 if any).",
        discussion: """
            Checks YAML syntax, unknown keys, missing required fields, duplicate ids, links to
            unknown topics, steps given for one platform only, and examples that the matcher
            assigns to a different intent.
            """
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    func run() async throws {
        let directory = try knowledgeOptions.directory()
        let problems = KnowledgeLoader.check(directory: directory)
        if problems.isEmpty {
            let knowledge = try knowledgeOptions.loadKnowledge()
            let examples = knowledge.intents.reduce(0) { $0 + $1.examples.count }
            print("\(directory): OK (\(knowledge.intents.count) intents, \(examples) examples, \(knowledge.packs.count) packs)")
            return
        }
        Stderr.write(problems.map(\.description).joined(separator: "\n"))
        Stderr.write("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
        throw ExitCode(2)
    }
}

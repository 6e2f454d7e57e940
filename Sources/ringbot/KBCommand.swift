import ArgumentParser
import Foundation
import RingBotCore
import RingBotKnowledge
import RingBotMatcherCache
import RingBotRuntime

/// `ringbot kb`: knowledge tools.
struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Knowledge base tools.",
        subcommands: [KBCheckCommand.self, KBCompileCommand.self]
    )
}

/// `ringbot kb check`: validates the knowledge folder.
struct KBCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the knowledge folder; print problems as FILE:LINE: message (exit 2 if any).",
        discussion: """
            Checks YAML syntax, unknown keys, missing required fields, duplicate ids, links to
            unknown topics and steps given for one platform only: each is a problem (exit 2).
            Then builds the matcher (for the hybrid one, the compiled cache) and runs 5-fold
            cross-validation over the examples: each example the matcher sends to another topic
            when it was left out of training is a warning (exit 0), with the overall score.
            """
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    func run() async throws {
        let directory = try knowledgeOptions.directory()
        let problems = KnowledgeLoader.check(directory: directory)
        guard problems.isEmpty else {
            Stderr.write(problems.map(\.description).joined(separator: "\n"))
            Stderr.write("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
            throw ExitCode(2)
        }
        let knowledge = try knowledgeOptions.loadKnowledge()
        let built = try await knowledgeOptions.build(knowledge: knowledge, force: false)
        let tuning = try knowledgeOptions.tuning()
        let kind = knowledgeOptions.matcher
        let embeddings = built.compile?.compiled.embeddingsByText ?? [:]
        let report = await onDedicatedThread {
            KnowledgeValidator.crossValidation(knowledge, tuning: tuning, kind: kind, embedding: embeddings)
        }
        if !report.misassigned.isEmpty {
            Stderr.write(report.misassigned.map(\.description).joined(separator: "\n"))
        }
        let examples = knowledge.intents.reduce(0) { $0 + $1.examples.count }
        print("\(directory): OK (\(knowledge.intents.count) intents, \(examples) examples, \(knowledge.packs.count) packs)")
        print("cross-validation (\(kind.rawValue), 5-fold): \(report.correct) of \(report.total) examples reach their own topic "
            + "(\(Decimal2(report.accuracy))); \(report.misassigned.count) warning\(report.misassigned.count == 1 ? "" : "s")")
    }
}

/// `ringbot kb compile`: builds the hybrid matcher's compiled cache.
struct KBCompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile the knowledge for the hybrid matcher (encode every example, train) and cache the result.",
        discussion: """
            Every command does this by itself when the knowledge, the model or the matcher changed;
            run it after editing the knowledge so that the next start is instant. The cache lives in
            $RINGBOT_CACHE_DIR/compiled (default ~/.cache/ringbot/compiled), one file per key.
            """
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Flag(name: .long, help: "Compile even when the cache is fresh.")
    var force = false

    func validate() throws {
        if knowledgeOptions.matcher == .lexical {
            throw ValidationError("only the hybrid matcher is compiled (the lexical one trains at start in milliseconds); drop --matcher lexical")
        }
    }

    func run() async throws {
        let knowledge = try knowledgeOptions.loadKnowledge()
        let built = try await knowledgeOptions.build(knowledge: knowledge, force: force)
        guard let compile = built.compile else { return }
        let cache = CompiledMatcherCache(directory: CompiledMatcherCache.defaultDirectory())
        let status = compile.rebuilt
            ? "compiled (\(compile.encoded) of \(compile.compiled.texts.count) texts encoded now)"
            : "already up to date"
        print("\(try knowledgeOptions.directory()): \(status)")
        print("cache: \(cache.file(for: compile.compiled.key).path)")
    }
}

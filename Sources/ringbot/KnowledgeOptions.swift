import ArgumentParser
import Foundation
import RingBotCore
import RingBotKnowledge

/// `--knowledge PATH`, shared by every command that needs the knowledge base.
struct KnowledgeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder of knowledge files (default: Knowledge/ of the repository).",
        valueName: "path"))
    var knowledge: String?

    /// The knowledge folder: the option, else `Knowledge/` found from the executable or the working directory.
    func directory() throws -> String {
        if let knowledge { return knowledge }
        if let found = KnowledgeLocator.defaultDirectory() { return found }
        throw ValidationError("Cannot find the Knowledge/ folder. Pass --knowledge PATH.")
    }

    /// Loads and validates the knowledge; on problems prints `FILE:LINE: message` lines and exits 2.
    func loadKnowledge() throws -> KnowledgeBase {
        let path = try directory()
        do {
            return try KnowledgeLoader.load(directory: path)
        } catch {
            Stderr.write(error.description)
            throw ExitCode(2)
        }
    }

    /// Loads the knowledge, throwing (instead of exiting) on problems: for reloads.
    func loadKnowledgeQuietly() throws -> KnowledgeBase {
        try KnowledgeLoader.load(directory: try directory())
    }

    /// The matcher's tuning: the defaults, or `RINGBOT_TUNING` (`name=value,...`) for experiments.
    func tuning() throws -> MatcherTuning {
        guard let text = ProcessInfo.processInfo.environment["RINGBOT_TUNING"] else { return MatcherTuning() }
        do { return try MatcherTuning(parsing: text) } catch {
            Stderr.write("RINGBOT_TUNING: \(error)")
            throw ExitCode(2)
        }
    }

    /// Loads the knowledge and builds the assistant.
    func loadAssistant() throws -> Assistant {
        Assistant(knowledge: try loadKnowledge(), tuning: try tuning())
    }
}

/// Writes lines to standard error.
enum Stderr {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

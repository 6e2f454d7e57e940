import ArgumentParser
import Foundation
import RingBotCore
import RingBotEncoder
import RingBotKnowledge
import RingBotMatcherCache
import RingBotRuntime
import RingBotTerminal

extension MatcherKind: ExpressibleByArgument {}

/// `--knowledge PATH`, `--matcher hybrid|lexical` and `--model-dir PATH`: shared by every
/// command that reads messages.
struct KnowledgeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder of knowledge files (default: Knowledge/ of the repository).",
        valueName: "path"))
    var knowledge: String?

    @Option(name: .long, help: ArgumentHelp(
        "How messages are read: hybrid (the sentence encoder and the lexical terms, the default) or lexical (no model needed).",
        valueName: "hybrid|lexical"))
    var matcher: MatcherKind = .hybrid

    @Option(name: .long, help: ArgumentHelp(
        "The sentence encoder's folder (default: $RINGBOT_MODEL_DIR, else ~/.cache/ringbot/models/all-MiniLM-L6-v2; `make model` fills it).",
        valueName: "path"))
    var modelDir: String?

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

    /// The sentence encoder's folder: `--model-dir`, else `$RINGBOT_MODEL_DIR`, else the cache.
    func modelDirectory() -> URL {
        modelDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? ModelFiles.defaultDirectory()
    }

    /// Loads the sentence encoder; a missing or broken model is one `error:` line that says
    /// how to fetch it (or to use `--matcher lexical`), exit 1.
    func loadEncoder() throws -> SentenceEncoder {
        let folder = modelDirectory()
        let missing = ModelFiles.missing(in: folder)
        if !missing.isEmpty {
            Stderr.write("error: the sentence encoder's files are missing from \(folder.path) (\(missing.joined(separator: ", "))); run `make model` to fetch them, point --model-dir or RINGBOT_MODEL_DIR at them, or pass --matcher lexical")
            throw ExitCode(1)
        }
        do {
            let encoder = try SentenceEncoder(directory: folder)
            for warning in encoder.warnings { Stderr.write("warning: \(warning)") }
            return encoder
        } catch {
            Stderr.write("error: \(error); or pass --matcher lexical")
            throw ExitCode(1)
        }
    }

    /// Loads the knowledge and builds the assistant with the chosen matcher (the hybrid one
    /// from the compiled cache, compiling it first when the knowledge or the model changed).
    func loadAssistant() async throws -> Assistant {
        try await build(knowledge: loadKnowledge(), force: false).assistant
    }

    /// Like ``loadAssistant()`` but throwing knowledge problems instead of exiting: for reloads.
    func reloadAssistant() async throws -> Assistant {
        try await build(knowledge: loadKnowledgeQuietly(), force: false).assistant
    }

    /// Builds the assistant for `knowledge` (from ``directory()``); for the hybrid matcher it
    /// also returns what the compiled cache did.
    func build(knowledge: KnowledgeBase, force: Bool) async throws -> (assistant: Assistant, compile: HybridAssistantLoader.Result?) {
        let tuning = try tuning()
        switch matcher {
        case .lexical:
            return (Assistant(knowledge: knowledge, tuning: tuning), nil)
        case .hybrid:
            // A chat message is read more than once (is it complete? then the answer): encode it once.
            let encoder = RecentEmbeddings(try loadEncoder())
            let loader = HybridAssistantLoader(cache: CompiledMatcherCache(directory: CompiledMatcherCache.defaultDirectory()))
            let folder = try directory()
            let result = await onDedicatedThread {
                loader.load(knowledge: knowledge, directory: folder, tuning: tuning, embedder: encoder, force: force,
                            progress: Self.compileProgress())
            }
            for warning in result.warnings { Stderr.write("warning: \(warning)") }
            return (result.assistant, result)
        }
    }

    /// On a terminal, a progress bar on stderr; otherwise one line when compiling starts and one when it ends.
    static func compileProgress() -> HybridAssistantLoader.Progress {
        let bar = ProgressBar(label: "Compiling the knowledge for the sentence encoder")
        if isatty(STDERR_FILENO) == 1 {
            return .init(
                started: { total in FileHandle.standardError.write(Data(("\r" + bar.line(done: 0, total: total)).utf8)) },
                advanced: { done, total in
                    if ProgressBar.shouldRedraw(done: done, total: total) {
                        FileHandle.standardError.write(Data(("\r" + bar.line(done: done, total: total)).utf8))
                    }
                },
                finished: { seconds in Stderr.write(String(format: " (%.1f s)", seconds)) })
        }
        return .init(
            started: { total in Stderr.write("compiling the knowledge for the sentence encoder (\(total) texts; cached afterwards)") },
            finished: { seconds in Stderr.write(String(format: "compiled the knowledge in %.1f s", seconds)) })
    }
}

/// Writes lines to standard error.
enum Stderr {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

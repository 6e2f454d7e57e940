import RingBotCore
import Yams

/// Loads a folder of knowledge YAML files into a ``KnowledgeBase``.
public enum KnowledgeLoader {
    /// Loads and validates every `*.yaml` below `directory`.
    /// - Throws: ``KnowledgeError`` listing every problem as `FILE:LINE: message`.
    public static func load(directory: String) throws(KnowledgeError) -> KnowledgeBase {
        var problems: [KnowledgeProblem] = []
        let knowledge = parse(directory: directory, problems: &problems)
        if problems.isEmpty { problems = KnowledgeValidator.structuralProblems(knowledge) }
        guard problems.isEmpty else { throw KnowledgeError(problems: problems) }
        return knowledge
    }

    /// The problems that make `kb check` fail: parse and structure problems.
    /// (Examples the matcher sends elsewhere are warnings: ``KnowledgeValidator/crossValidation(_:tuning:kind:embedding:folds:)``.)
    public static func check(directory: String) -> [KnowledgeProblem] {
        do {
            _ = try load(directory: directory)
            return []
        } catch {
            return error.problems
        }
    }

    /// The knowledge files of `directory` as read (path relative to the folder, and text),
    /// sorted by path: what a compiled matcher's cache key hashes.
    public static func sources(directory: String) -> [(path: String, text: String)] {
        var problems: [KnowledgeProblem] = []
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return KnowledgeFiles.read(directory: directory, problems: &problems).map { file in
            (file.path.hasPrefix(prefix) ? String(file.path.dropFirst(prefix.count)) : file.path, file.text)
        }
    }

    static func parse(directory: String, problems: inout [KnowledgeProblem]) -> KnowledgeBase {
        var settings: (KnowledgeSettings, SourceLocation)?
        var packs: [(pack: KnowledgePack, folder: String)] = []
        var lexicon = Lexicon()
        var intents: [(intent: Intent, file: String)] = []

        for file in KnowledgeFiles.read(directory: directory, problems: &problems) {
            let sink = ProblemSink(file: file.path)
            defer { problems += sink.problems }
            let root: Node
            do {
                // `.basic`: no implicit tags. The decoder reads every scalar as text itself, and the
                // default resolver runs regular expressions on each scalar (ICU: megabytes, milliseconds).
                guard let node = try Yams.compose(yaml: file.text, .basic) else {
                    sink.report(nil, "file is empty; start it with a `kind:` line")
                    continue
                }
                root = node
            } catch {
                problems.append(YAMLErrorMapper.problem(error, file: file.path, text: file.text))
                continue
            }
            switch DocumentDecoder.decode(root, sink: sink) {
            case .settings(let value, let location)?:
                if let first = settings {
                    sink.report(root, "a second `kind: settings` file; settings are already defined at \(first.1)")
                } else {
                    settings = (value, location)
                }
            case .pack(let pack)?:
                packs.append((pack, folder(of: file.path)))
            case .lexicon(let value)?:
                lexicon.merge(value)
            case .intent(let intent)?:
                intents.append((intent, file.path))
            case nil:
                break
            }
        }
        if settings == nil && problems.isEmpty {
            problems.append(KnowledgeProblem(SourceLocation(file: directory, line: 0),
                "no `kind: settings` file; add one (bot_name, contact, thresholds)"))
        }
        // An intent belongs to the pack whose folder holds it most closely.
        let resolved = intents.map { entry -> Intent in
            var intent = entry.intent
            intent.pack = packs.filter { entry.file.hasPrefix($0.folder + "/") }
                .max { $0.folder.count < $1.folder.count }?.pack.id
            return intent
        }
        return KnowledgeBase(settings: settings?.0 ?? KnowledgeSettings(), packs: packs.map(\.pack),
                             lexicon: lexicon, intents: resolved)
    }

    private static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}

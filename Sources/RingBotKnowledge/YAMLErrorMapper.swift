import RingBotCore
import Yams

/// Turns a Yams parse error into a `FILE:LINE: message` problem with a plain explanation.
enum YAMLErrorMapper {
    static func problem(_ error: any Error, file: String, text: String) -> KnowledgeProblem {
        guard let yamlError = error as? YamlError else {
            return KnowledgeProblem(SourceLocation(file: file, line: 1), "cannot parse YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            if problem.contains("mapping values are not allowed") {
                message += "; quote text that contains `: `"
            } else if problem.contains("found character that cannot start any token") {
                message += "; quote text that starts with a special character, and indent with spaces, not tabs"
            }
            return KnowledgeProblem(SourceLocation(file: file, line: mark.line), message)
        case .reader(let problem, _, _, let yaml):
            return KnowledgeProblem(SourceLocation(file: file, line: 1), "cannot read YAML: \(problem)" + (yaml.isEmpty ? "" : ""))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let line = duplicates.first.flatMap { secondOccurrence(of: $0, in: text, from: context.mark.line) }
                ?? context.mark.line
            return KnowledgeProblem(SourceLocation(file: file, line: line),
                "duplicate key " + duplicates.map { "`\($0)`" }.joined(separator: ", ") + " in one mapping; keep one")
        default:
            return KnowledgeProblem(SourceLocation(file: file, line: 1), "cannot parse YAML: \(yamlError)")
        }
    }

    /// The line of the second `key:` at the indentation of the first one, from `line` on:
    /// the duplicate to remove.
    static func secondOccurrence(of key: String, in text: String, from line: Int) -> Int? {
        var indentation: Int?
        for (offset, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where offset + 1 >= line {
            let trimmed = content.drop { $0 == " " }
            guard trimmed.hasPrefix(key + ":") else { continue }
            let indent = content.count - trimmed.count
            if let first = indentation {
                if indent == first { return offset + 1 }
            } else {
                indentation = indent
            }
        }
        return nil
    }
}

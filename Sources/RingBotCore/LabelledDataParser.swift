/// Parses labelled data (`text<TAB>intent<TAB>platform`, with that header line).
public enum LabelledDataParser {
    /// Parses `contents` of `file`; every bad line becomes a problem with its line number.
    public static func parse(_ contents: String, file: String) -> (items: [LabelledUtterance], problems: [KnowledgeProblem]) {
        var items: [LabelledUtterance] = []
        var problems: [KnowledgeProblem] = []
        var sawHeader = false
        // "\r\n" is one Character in Swift, so split on both line endings.
        let lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (offset, rawLine) in lines.enumerated() {
            let lineNumber = offset + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if !sawHeader {
                sawHeader = true
                if fields.first == "text" {
                    if fields.count < 2 || fields[1] != "intent" {
                        problems.append(KnowledgeProblem(SourceLocation(file: file, line: lineNumber),
                            "header must be `text<TAB>intent<TAB>platform`"))
                    }
                    continue
                }
                problems.append(KnowledgeProblem(SourceLocation(file: file, line: lineNumber),
                    "missing header line `text<TAB>intent<TAB>platform`"))
            }
            guard fields.count == 2 || fields.count == 3 else {
                problems.append(KnowledgeProblem(SourceLocation(file: file, line: lineNumber),
                    "expected 2 or 3 tab-separated fields (text, intent, platform), found \(fields.count)"))
                continue
            }
            let intent = fields[1].trimmingCharacters(in: " ")
            guard !intent.isEmpty else {
                problems.append(KnowledgeProblem(SourceLocation(file: file, line: lineNumber), "empty intent label"))
                continue
            }
            var platform: Platform?
            if fields.count == 3 {
                let value = fields[2].trimmingCharacters(in: " ")
                if !value.isEmpty {
                    guard let parsed = Platform(rawValue: value) else {
                        problems.append(KnowledgeProblem(SourceLocation(file: file, line: lineNumber),
                            "platform must be `android`, `ios` or empty, found `\(value)`"))
                        continue
                    }
                    platform = parsed
                }
            }
            items.append(LabelledUtterance(text: fields[0], intent: intent, platform: platform, line: lineNumber))
        }
        return (items, problems)
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s.removeFirst() }
        while s.last == character { s.removeLast() }
        return String(s)
    }
}

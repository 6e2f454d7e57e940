import RingBotCore
import Yams

/// Collects the problems found while reading one file.
final class ProblemSink {
    let file: String
    private(set) var problems: [KnowledgeProblem] = []

    init(file: String) {
        self.file = file
    }

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line ?? 1)
    }

    func report(_ node: Node?, _ message: String) {
        problems.append(KnowledgeProblem(location(node), message))
    }
}

/// Typed, strict access to a YAML mapping: every key read is remembered, so the
/// keys nobody asked for can be reported as unknown (a typo in a key would
/// otherwise silently drop content).
struct MappingReader {
    let node: Node
    let sink: ProblemSink
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var used: Set<String> = []

    /// Reads `node` as a mapping, or reports `what` was expected and returns nil.
    init?(_ node: Node, sink: ProblemSink, what: String) {
        guard case .mapping(let mapping) = node else {
            sink.report(node, "expected \(what) (a mapping of `key: value` lines), found \(Self.describe(node))")
            return nil
        }
        self.node = node
        self.sink = sink
        self.entries = mapping.map { pair in
            (key: pair.key.string ?? "", keyNode: pair.key, value: pair.value)
        }
    }

    /// Every key of the mapping, in order.
    var keys: [String] { entries.map(\.key) }

    /// The raw value node for `key`, if present.
    mutating func value(_ key: String) -> Node? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// A string value; reports a missing required key or a non-string value.
    mutating func string(_ key: String, required: Bool = false) -> String? {
        let raw = value(key)
        guard let node = raw, !Self.isNull(node) else {
            if required { sink.report(raw ?? self.node, "missing required field `\(key)`") }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            sink.report(node, "`\(key)` must be text, found \(Self.describe(node))")
            return nil
        }
        let text = scalar.string.trimmingWhitespace()
        if text.isEmpty {
            sink.report(node, "`\(key)` is empty")
            return nil
        }
        return text
    }

    /// A number value in `range`.
    mutating func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let node = value(key), !Self.isNull(node) else { return nil }
        guard let number = node.float ?? node.int.map(Double.init) else {
            sink.report(node, "`\(key)` must be a number, found \(Self.describe(node))")
            return nil
        }
        guard range.contains(number) else {
            sink.report(node, "`\(key)` must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            return nil
        }
        return number
    }

    /// A list of strings, each with its location; reports non-text items.
    mutating func strings(_ key: String) -> [(text: String, location: SourceLocation)] {
        guard let node = value(key), !Self.isNull(node) else { return [] }
        return Self.strings(in: node, key: key, sink: sink)
    }

    static func strings(in node: Node, key: String, sink: ProblemSink) -> [(text: String, location: SourceLocation)] {
        guard case .sequence(let sequence) = node else {
            sink.report(node, "`\(key)` must be a list (lines starting with `- `), found \(describe(node))")
            return []
        }
        var out: [(text: String, location: SourceLocation)] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else {
                sink.report(item, "each item of `\(key)` must be text, found \(describe(item))")
                continue
            }
            let text = scalar.string.trimmingWhitespace()
            if text.isEmpty {
                sink.report(item, "empty item in `\(key)`")
                continue
            }
            out.append((text, sink.location(item)))
        }
        return out
    }

    /// A list of nodes.
    mutating func list(_ key: String) -> [Node] {
        guard let node = value(key), !Self.isNull(node) else { return [] }
        guard case .sequence(let sequence) = node else {
            sink.report(node, "`\(key)` must be a list (lines starting with `- `), found \(Self.describe(node))")
            return []
        }
        return Array(sequence)
    }

    /// Reports every key that was never read, with a suggestion when one is close.
    func finish() {
        for entry in entries where !used.contains(entry.key) {
            var message = "unknown key `\(entry.key)`"
            if let suggestion = used.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
               editDistance(suggestion, entry.key) <= 2 {
                message += "; did you mean `\(suggestion)`?"
            } else {
                message += "; allowed here: " + used.sorted().map { "`\($0)`" }.joined(separator: ", ")
            }
            sink.report(entry.keyNode, message)
        }
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain,
           ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return true }
        return false
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "the text \"\(scalar.string.prefix(40))\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

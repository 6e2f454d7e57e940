/// Where a piece of knowledge came from, so problems can be reported as `FILE:LINE: message`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One problem found in the knowledge, with its location.
public struct KnowledgeProblem: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE: message`
    public var description: String { "\(location): \(message)" }
}

/// Thrown when knowledge cannot be used; carries every problem found.
public struct KnowledgeError: Error, Sendable, CustomStringConvertible {
    public var problems: [KnowledgeProblem]

    public init(problems: [KnowledgeProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A reply as structure, so each adapter can render it its own way
/// (plain text, terminal colours, Matrix HTML) without re-parsing text.
public struct ReplyDocument: Sendable, Equatable {
    /// One block of a reply.
    public enum Block: Sendable, Equatable {
        /// A paragraph of text.
        case paragraph(String)
        /// A short heading line, e.g. "On Android:".
        case heading(String)
        /// An ordered list (steps).
        case numbered([String])
        /// An unordered list (causes, options).
        case bullets([String])
    }

    public var blocks: [Block]

    public init(_ blocks: [Block] = []) {
        self.blocks = blocks
    }

    public mutating func append(_ block: Block) {
        blocks.append(block)
    }
}

/// What the analyser found in one message.
public struct MessageAnalysis: Sendable, Equatable {
    /// Normalised words, typo-corrected, before stemming.
    public var words: [String]
    /// Content terms for matching: stems and `#concept` tokens, stop words and
    /// platform words removed, negated terms prefixed with `!`.
    public var terms: [String]
    /// The platform named in the message, if any (the first one named).
    public var platform: Platform?
    /// Dialogue cues found (a fix did or did not help).
    public var cues: Set<DialogueCue>
    /// The message as it was read (after the front door's cut), for the sentence encoder.
    public var text: String

    public init(words: [String], terms: [String], platform: Platform?, cues: Set<DialogueCue>, text: String = "") {
        self.text = text
        self.words = words
        self.terms = terms
        self.platform = platform
        self.cues = cues
    }
}

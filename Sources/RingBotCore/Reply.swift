/// The bot's answer to one turn.
public struct Reply: Sendable, Equatable {
    /// The topic this reply answers (an intent id).
    public var intent: String
    /// The platform the reply was written for, if any.
    public var platform: Platform?
    /// The matcher's confidence in the message's intent.
    public var confidence: Double
    /// The reply's content, to be rendered by the adapter.
    public var document: ReplyDocument
    /// `false` when the bot could not answer the question (fallback or clarification):
    /// adapters record those for knowledge authors.
    public var answered: Bool

    public init(intent: String, platform: Platform?, confidence: Double, document: ReplyDocument, answered: Bool) {
        self.intent = intent
        self.platform = platform
        self.confidence = confidence
        self.document = document
        self.answered = answered
    }

    /// The reply as plain text.
    public var plainText: String { PlainTextRenderer.render(document) }
}

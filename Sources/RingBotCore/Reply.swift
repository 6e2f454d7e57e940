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
    /// The matcher's best candidate for the message, whatever the reply did with it;
    /// adapters record it beside unanswered questions without classifying again.
    public var bestGuess: Classification.Candidate?
    /// `true` when the message was not a question on its own ("calls", "my whatsapp") and the
    /// reply only asks the user to go on: the dialogue keeps the message and reads it with the
    /// next ones. Chat adapters may wait briefly for the next message instead of sending this.
    public var awaitsMore = false

    public init(intent: String, platform: Platform?, confidence: Double, document: ReplyDocument, answered: Bool,
                bestGuess: Classification.Candidate? = nil) {
        self.intent = intent
        self.platform = platform
        self.confidence = confidence
        self.document = document
        self.answered = answered
        self.bestGuess = bestGuess
    }

    /// The reply as plain text.
    public var plainText: String { PlainTextRenderer.render(document) }
}

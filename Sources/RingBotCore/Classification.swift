/// The matcher's verdict on one message, with no dialogue context.
public struct Classification: Sendable, Equatable {
    /// One candidate intent and its calibrated probability.
    public struct Candidate: Sendable, Equatable {
        public var intent: String
        public var confidence: Double

        public init(intent: String, confidence: Double) {
            self.intent = intent
            self.confidence = confidence
        }
    }

    /// The chosen intent id (`out_of_scope` when the bot should not guess).
    public var intent: String
    /// Calibrated confidence in [0, 1] for ``intent``.
    public var confidence: Double
    /// The platform the message names, if any.
    public var platform: Platform?
    /// Every intent, best first.
    public var ranked: [Candidate]

    public init(intent: String, confidence: Double, platform: Platform?, ranked: [Candidate]) {
        self.intent = intent
        self.confidence = confidence
        self.platform = platform
        self.ranked = ranked
    }
}

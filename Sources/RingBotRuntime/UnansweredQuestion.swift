import Foundation

/// A question the bot could not answer, kept for knowledge authors
/// (`ringbot report unanswered`). The sender is stored only as a salted hash.
public struct UnansweredQuestion: Sendable, Equatable {
    /// The cleaned question text.
    public var text: String
    /// When it was asked.
    public var askedAt: Date
    /// The salted SHA-256 of the sender id (see ``SenderPseudonymizer``).
    public var senderHash: String
    /// The matcher's best intent for it, even though it was not confident enough;
    /// ``notAnsweredFlood`` for a message flood control recorded instead of answering.
    public var bestGuess: String
    /// The matcher's confidence in ``bestGuess``.
    public var confidence: Double
    /// The platform it was asked on (`matrix`...); empty when not known (older state).
    public var platform: String

    /// The ``bestGuess`` of a message past flood control's hard bound: recorded, not answered.
    public static let notAnsweredFlood = "not_answered_flood"

    public init(text: String, askedAt: Date, senderHash: String, bestGuess: String, confidence: Double,
                platform: String = "") {
        self.text = text
        self.askedAt = askedAt
        self.senderHash = senderHash
        self.bestGuess = bestGuess
        self.confidence = confidence
        self.platform = platform
    }
}

/// Turns a sender id into a stable pseudonym: the first 16 hex digits of
/// SHA-256(salt + sender). The salt is per state store, so hashes cannot be
/// compared across installations or reversed with a precomputed table.
public struct SenderPseudonymizer: Sendable {
    public let salt: String

    public init(salt: String) {
        self.salt = salt
    }

    public func pseudonym(for sender: String) -> String {
        String(SHA256.hex(salt + sender).prefix(16))
    }
}

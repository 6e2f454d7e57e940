/// Turns a message into a fixed-length sentence embedding of unit length.
///
/// The core only computes with the vectors; an adapter at the edge (the
/// `RingBotEncoder` target) loads the model's weights and implements this.
/// Implementations must be deterministic: the same text always gives the same
/// vector, bit for bit, so replies and trained weights are reproducible.
public protocol SentenceEmbedder: Sendable {
    /// The number of values in every embedding.
    var dimension: Int { get }
    /// A name that changes whenever the vectors would change (model, weights'
    /// checksum, numeric format): part of the compiled-knowledge cache key.
    var fingerprint: String { get }
    /// The L2-normalised embedding of `text`: `dimension` values.
    func embed(_ text: String) -> [Float]
}

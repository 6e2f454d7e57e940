/// A problem with the sentence encoder's files: missing, truncated, or not the
/// model RingBot expects. The text names the file and says how to fix it.
public struct EncoderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The whole message, ready for an `error:` line.
    public let description: String

    /// - Parameter description: one sentence naming the file and the problem; callers append
    ///   ``ModelFiles/fetchHint`` where fetching the files again is the fix.
    public init(_ description: String) {
        self.description = description
    }
}

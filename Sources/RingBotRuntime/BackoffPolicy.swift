/// Exponential back-off with "equal jitter": attempt n waits between half and all of
/// `min(cap, initial * 2^n)`. The random source is injected so tests are exact.
public struct BackoffPolicy: Sendable, Equatable {
    public var initial: Duration
    public var cap: Duration

    public init(initial: Duration = .milliseconds(500), cap: Duration = .seconds(60)) {
        self.initial = initial
        self.cap = cap
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    /// - Parameter random: returns a value in `0...1`.
    public func delay(attempt: Int, random: () -> Double) -> Duration {
        let exponent = min(max(attempt, 0), 30)
        let initialSeconds = Double(initial.components.seconds) + Double(initial.components.attoseconds) / 1e18
        let capSeconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        let ceiling = min(capSeconds, initialSeconds * Double(1 << exponent))
        let fraction = min(max(random(), 0), 1)
        let seconds = ceiling / 2 + ceiling / 2 * fraction
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

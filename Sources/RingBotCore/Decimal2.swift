/// A number in [0, ∞) printed with exactly two decimals (`0.93`), without Foundation formatting.
public struct Decimal2: CustomStringConvertible, Sendable {
    public var value: Double

    public init(_ value: Double) {
        self.value = value
    }

    public var description: String {
        guard value.isFinite else { return "0.00" }
        let hundredths = Int((max(0, value) * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

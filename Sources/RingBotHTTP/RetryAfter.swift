import Foundation
/// Parses a `Retry-After` header value. (Being written.)
enum RetryAfter {
    static func parse(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}

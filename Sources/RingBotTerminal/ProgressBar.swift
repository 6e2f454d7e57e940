import Foundation

/// A one-line progress bar redrawn in place on a terminal (`\r`), for work that takes
/// seconds, such as compiling the knowledge. Redraws at most once per percent.
public struct ProgressBar: Sendable {
    public let label: String
    public let width: Int

    public init(label: String, width: Int = 30) {
        self.label = label
        self.width = max(10, width)
    }

    /// The line for `done` of `total`, without a line ending (`label [#####·····]  42% 420/1000`).
    public func line(done: Int, total: Int) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(done) / Double(total))) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled)
        let percent = String(Int((fraction * 100).rounded(.down))).leftPadded(to: 3)
        return "\(label) [\(bar)] \(percent)% \(done)/\(total)"
    }

    /// Whether `done` of `total` reaches a new whole percent (or the end), so callers redraw rarely.
    public static func shouldRedraw(done: Int, total: Int) -> Bool {
        guard total > 0, done > 0 else { return true }
        return done == total || (done * 100 / total) != ((done - 1) * 100 / total)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

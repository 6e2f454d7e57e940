import CEditline
import Foundation

/// Reads lines from the terminal with line editing and history (libedit), keeping
/// the history in a file between sessions. Only for interactive use: when stdin is
/// not a terminal, callers read plain lines instead.
public final class LineReader {
    private let historyFile: String?
    /// History kept at most (in memory and in the file).
    public static let historyLimit: Int32 = 500

    /// - Parameter historyFile: where to keep the history, or nil for none.
    /// Whether the terminal takes UTF-8 (libedit needs a UTF-8 `LC_CTYPE` for non-ASCII
    /// prompts and input; without one it fails on them).
    public let isUTF8: Bool

    public init(historyFile: String?) {
        self.historyFile = historyFile
        isUTF8 = Self.enableUTF8Locale()
        using_history()
        stifle_history(Self.historyLimit)
        if let historyFile { _ = read_history(historyFile) }
    }

    /// Shows `prompt` and returns the line typed, or nil at end of input (Ctrl-D).
    /// Non-empty lines are added to the history.
    public func readLine(prompt: String) -> String? {
        guard let pointer = readline(prompt) else { return nil }
        defer { free(pointer) }
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
        if !line.allSatisfy(\.isWhitespace) {
            add_history(pointer)
            save()  // at once, so Ctrl-C loses nothing
        }
        return line
    }

    /// Selects the user's character encoding, falling back to C.UTF-8; returns whether it is UTF-8.
    private static func enableUTF8Locale() -> Bool {
        func isUTF8() -> Bool {
            guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
            let name = String(cString: codeset).lowercased()
            return name == "utf-8" || name == "utf8"
        }
        setlocale(LC_CTYPE, "")
        if isUTF8() { return true }
        setlocale(LC_CTYPE, "C.UTF-8")
        return isUTF8()
    }

    /// Writes the history file.
    public func save() {
        guard let historyFile else { return }
        let directory = (historyFile as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = write_history(historyFile)
    }
}

import Foundation

/// Puts a text in canonical decomposition (NFD), so that the basic tokenizer can strip
/// accents by dropping nonspacing marks, in chunks of bounded cost.
///
/// Decomposition maps each scalar on its own; only canonical reordering looks further, and
/// it sorts each run of combining marks, which costs quadratic time on a pathologically long
/// run. So a run of non-ASCII scalars is cut every ``maxRun`` scalars, and the text is
/// otherwise decomposed whole (usually one call). Cutting changes nothing but the order of
/// the marks in such a run, which the tokenizer drops or keeps in place anyway. ASCII is
/// never cut, so a literal `[SEP]` is never split; a word may be, and the basic tokenizer
/// carries it across.
enum CanonicalChunks {
    /// The longest run of non-ASCII scalars decomposed in one piece.
    static let maxRun = 256

    /// Calls `body` with each NFD chunk of `text`, in order, until it returns false.
    static func forEach(in text: String, _ body: (inout String) -> Bool) {
        let scalars = text.unicodeScalars
        var chunkStart = scalars.startIndex
        var run = 0
        var index = scalars.startIndex
        while index != scalars.endIndex {
            if scalars[index].isASCII {
                run = 0
            } else {
                if run == maxRun {
                    var decomposed = String(scalars[chunkStart..<index]).decomposedStringWithCanonicalMapping
                    guard body(&decomposed) else { return }
                    chunkStart = index
                    run = 0
                }
                run += 1
            }
            scalars.formIndex(after: &index)
        }
        if chunkStart != scalars.endIndex {
            var decomposed = String(scalars[chunkStart...]).decomposedStringWithCanonicalMapping
            _ = body(&decomposed)
        }
    }
}

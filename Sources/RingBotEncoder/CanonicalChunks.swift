import Foundation

/// Cuts a text into chunks and puts each in canonical decomposition (NFD), so that the
/// basic tokenizer can strip accents by dropping nonspacing marks.
///
/// Decomposing chunk by chunk keeps the work linear: canonical reordering sorts each run
/// of combining marks, which costs quadratic time on a pathologically long run, so a run
/// of non-ASCII scalars is cut every ``maxScalars``. Chunks are otherwise cut only at
/// ASCII whitespace, so a literal `[SEP]` is never split and words rarely are (the basic
/// tokenizer carries a word across chunks anyway). Decomposition is per scalar, so the
/// chunks together hold exactly the decomposition of the text, except that marks in a run
/// longer than ``maxScalars`` are reordered within their part only.
enum CanonicalChunks {
    /// Chunks end at the first ASCII whitespace after this many scalars, and a run of
    /// non-ASCII scalars is cut at this length.
    static let maxScalars = 256

    /// Calls `body` with each NFD chunk of `text`, in order, until it returns false.
    static func forEach(in text: String, _ body: (inout String) -> Bool) {
        var chunk = String.UnicodeScalarView()
        var count = 0
        var nonASCIIRun = 0
        for scalar in text.unicodeScalars {
            let isASCII = scalar.isASCII
            let cutBefore = isASCII
                ? count >= maxScalars && (scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r")
                : nonASCIIRun >= maxScalars
            if cutBefore {
                var decomposed = String(chunk).decomposedStringWithCanonicalMapping
                guard body(&decomposed) else { return }
                chunk.removeAll(keepingCapacity: true)
                count = 0
                nonASCIIRun = 0
            }
            chunk.append(scalar)
            count += 1
            nonASCIIRun = isASCII ? 0 : nonASCIIRun + 1
        }
        if count > 0 {
            var decomposed = String(chunk).decomposedStringWithCanonicalMapping
            _ = body(&decomposed)
        }
    }
}

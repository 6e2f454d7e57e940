/// Makes text safe to print on a terminal: removes ANSI escape sequences and
/// every control character (C0, DEL, C1) except newline and tab, and bidi
/// overrides that could reorder what the user sees.
public enum TerminalSanitizer {
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            switch scalar.value {
            case 0x1B:  // ESC: drop the whole sequence (CSI ... final byte, OSC ... BEL/ST, or one char)
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {}
                } else if next == "]" {
                    var previous: Unicode.Scalar?
                    while let c = iterator.next(), c.value != 0x07, !(previous?.value == 0x1B && c == "\\") { previous = c }
                }
            case 0x0A, 0x09:
                out.append(scalar)
            case 0x00...0x1F, 0x7F...0x9F:
                continue
            case 0x202A...0x202E, 0x2066...0x2069:  // bidi embeddings, overrides and isolates
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }
}

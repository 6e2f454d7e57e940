import Foundation

/// Turns messy user text into plain lower-case word tokens: Unicode compatibility
/// folding (full-width letters, ligatures), accents dropped, apostrophes joined
/// (`don't` → `dont`), punctuation, symbols and emoji turned into spaces,
/// zero-width and control characters removed, letters repeated three or more
/// times squeezed to two (`calllll` → `call`), small numbers spelled out.
public enum TextNormalizer {
    /// Input longer than this many Unicode scalars is cut before matching, so the
    /// time per message stays bounded whatever is pasted.
    public static let maxInputScalars = 1_000

    /// The normalised word tokens of `text`.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        var lastScalar: Unicode.Scalar?
        var repeatCount = 0

        func flush() {
            if !current.isEmpty {
                let token = String(current)
                tokens.append(numberWords[token] ?? token)
                current = String.UnicodeScalarView()
            }
            lastScalar = nil
            repeatCount = 0
        }

        func append(_ scalar: Unicode.Scalar) {
            if scalar == lastScalar {
                repeatCount += 1
                if repeatCount >= 2 && !("0"..."9").contains(scalar) { return }
            } else {
                repeatCount = 0
            }
            lastScalar = scalar
            current.append(scalar)
        }

        for scalar in folded(text) {
            switch scalar.value {
            case 0x61...0x7A, 0x30...0x39:  // a-z 0-9
                append(scalar)
            case 0x41...0x5A:  // A-Z
                append(Unicode.Scalar(scalar.value + 32)!)
            case 0x27, 0x60:  // apostrophes join words
                continue
            case 0x00...0x7F:
                flush()
            case _ where apostropheLookAlikes.contains(scalar.value):
                continue
            default:
                let properties = scalar.properties
                switch properties.generalCategory {
                case .nonspacingMark, .enclosingMark, .spacingMark, .format, .control, .surrogate, .privateUse, .unassigned:
                    continue  // accents, zero-width joiners, bidi marks, controls
                case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter,
                     .decimalNumber, .letterNumber, .otherNumber:
                    for lower in properties.lowercaseMapping.unicodeScalars { append(lower) }
                default:
                    flush()  // punctuation, symbols, emoji, separators
                }
            }
        }
        flush()
        return tokens
    }

    /// `text` cut to its first ``maxInputScalars`` Unicode scalars: the front door's limit,
    /// applied once before the lexical analyser and the sentence encoder both read the message.
    public static func cut(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maxInputScalars else { return text }
        return String(String.UnicodeScalarView(scalars.prefix(maxInputScalars)))
    }

    /// The tokens joined by single spaces.
    public static func normalize(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The first ``maxInputScalars`` scalars of `text`, compatibility-decomposed
    /// unless the text is plain ASCII (the common, fast case).
    static func folded(_ text: String) -> String.UnicodeScalarView {
        var scalars = text.unicodeScalars
        if scalars.count > maxInputScalars {
            scalars = String.UnicodeScalarView(scalars.prefix(maxInputScalars))
        }
        if scalars.allSatisfy({ $0.isASCII }) { return scalars }
        // Apostrophe look-alikes first: compatibility decomposition turns ´ into a space and an accent.
        var apostrophes = String.UnicodeScalarView()
        for scalar in scalars {
            apostrophes.append(apostropheLookAlikes.contains(scalar.value) ? "'" : scalar)
        }
        return String(apostrophes).decomposedStringWithCompatibilityMapping.unicodeScalars
    }

    /// Non-ASCII characters typed as apostrophes: ´ ‘ ’ ʼ ʹ ′.
    static let apostropheLookAlikes: Set<UInt32> = [0xB4, 0x2018, 0x2019, 0x02BC, 0x02B9, 0x2032]

    private static let numberWords: [String: String] = [
        "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
        "1st": "first", "2nd": "second", "3rd": "third",
    ]
}

/// How BERT's basic tokenizer treats one Unicode scalar of canonically decomposed (NFD) text.
///
/// The rules are those of the Hugging Face `BertNormalizer` and `BertPreTokenizer` that
/// all-MiniLM-L6-v2's tokenizer uses: control, format and private-use characters (and NUL and
/// U+FFFD) are dropped; White_Space characters end a word; punctuation and CJK ideographs are
/// words of their own; nonspacing marks (Mn) are dropped, which strips the accents NFD split off.
/// Unassigned code points are kept, as the reference keeps them.
///
/// The reference takes general categories (control, format, punctuation, nonspacing mark) from
/// Unicode 8.0 tables, while whitespace, case and decomposition follow current Unicode. So do we:
/// a character added after Unicode 8.0 is an ordinary letter here, and the few whose category
/// changed since are listed in ``unicode8Override(_:)``. Checked against the reference for every
/// code point up to U+2FFFF.
enum BertCharacterKind: Equatable {
    /// Dropped without ending the word: NUL, U+FFFD, Cc, Cf and Co characters.
    case ignored
    /// Ends the current word and is dropped.
    case whitespace
    /// A word of its own: ASCII 33-47, 58-64, 91-96, 123-126 and the Unicode P* categories.
    case punctuation
    /// A CJK ideograph: a word of its own.
    case ideograph
    /// A nonspacing mark (Mn): dropped, which strips accents.
    case mark
    /// Everything else: part of a word (lower-cased first).
    case letter

    /// The few characters whose category changed after Unicode 8.0 in a way that matters here:
    /// their kind under the Unicode 8.0 categories the reference uses.
    static func unicode8Override(_ value: UInt32) -> BertCharacterKind? {
        switch value {
        case 0x166D, 0x111C9: .punctuation   // now So and Mn; Po in Unicode 8.0
        case 0x1734, 0x1171E: .mark          // now Mc; Mn in Unicode 8.0
        case 0x1885, 0x1886, 0xA9BD: .letter // now Mn; Mo and Mc in Unicode 8.0
        default: nil
        }
    }

    /// The kind of an ASCII byte (below 0x80).
    @inline(__always)
    static func ascii(_ byte: UInt8) -> BertCharacterKind {
        switch byte {
        case 0x09, 0x0A, 0x0D, 0x20: .whitespace
        case 0x00...0x1F, 0x7F: .ignored
        case 33...47, 58...64, 91...96, 123...126: .punctuation
        default: .letter
        }
    }

    /// The kind of any scalar.
    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            self = Self.ascii(UInt8(truncatingIfNeeded: value))
            return
        }
        if value == 0xFFFD {
            self = .ignored
            return
        }
        if Self.isCJKIdeograph(value) {
            self = .ideograph
            return
        }
        let properties = scalar.properties
        let category = properties.generalCategory
        switch category {
        case .control, .format, .privateUse, .surrogate:
            if properties.age.map({ $0.major <= 8 }) ?? false {
                self = .ignored
                return
            }
        default:
            break
        }
        if properties.isWhitespace {
            self = .whitespace
        } else if let override = Self.unicode8Override(value) {
            self = override
        } else if let age = properties.age, age.major > 8 {
            // Newer than the reference's category tables: an ordinary letter there.
            self = .letter
        } else {
            switch category {
            case .nonspacingMark:
                self = .mark
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                self = .punctuation
            default:
                self = .letter
            }
        }
    }

    /// The CJK Unified Ideographs blocks (with extensions A to E) and the CJK Compatibility
    /// Ideographs, as BERT defines "Chinese characters". Hiragana, Katakana and Hangul are not in it.
    /// Extension E starts at U+2B920 here, not U+2B820: the reference (Hugging Face `tokenizers`)
    /// has it so, and matching the model's training matters more than the block's true start.
    static func isCJKIdeograph(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default:
            false
        }
    }
}

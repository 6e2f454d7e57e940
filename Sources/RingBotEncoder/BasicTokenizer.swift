/// Receives the words of BERT's basic tokenizer, in text order.
protocol BasicTokenSink {
    /// One word: lower-cased, accents stripped, in UTF-8. A word longer than the tokenizer's
    /// `storedScalarLimit` arrives cut to that length, with `scalarCount` its full length.
    /// Returns false when no more words are wanted.
    mutating func takeWord(_ utf8: UnsafeBufferPointer<UInt8>, scalarCount: Int) -> Bool
    /// A special token such as `[SEP]` written literally in the text. Returns false to stop.
    mutating func takeSpecial(_ id: Int32) -> Bool
}

/// BERT's basic tokenizer: splits a text into lower-cased, accent-stripped words, with
/// punctuation and CJK ideographs as words of their own (see ``BertCharacterKind``).
///
/// It scans canonically decomposed (NFD) UTF-8, chunk after chunk (see
/// ``CanonicalChunks``), one pass, with an ASCII fast path; a word's bytes go into one
/// reused buffer. Work and memory stay linear in the text's length.
struct BasicTokenizer<Sink: BasicTokenSink> {
    /// Where the words go.
    var sink: Sink
    /// True once the sink wanted no more words.
    private(set) var stopped = false
    private let literalSpecials: [(utf8: [UInt8], id: Int32)]
    private let storedScalarLimit: Int
    private var word: [UInt8] = []
    private var wordScalars = 0

    /// - Parameters:
    ///   - literalSpecials: special tokens recognised when written literally (e.g. `[SEP]`).
    ///   - storedScalarLimit: longer words reach the sink cut to this many scalars (WordPiece
    ///     makes them [UNK] whatever they hold), so a huge word costs no memory.
    init(sink: Sink, literalSpecials: [(utf8: [UInt8], id: Int32)], storedScalarLimit: Int) {
        self.sink = sink
        self.literalSpecials = literalSpecials
        self.storedScalarLimit = storedScalarLimit
        word.reserveCapacity(64)
    }

    /// Splits `text` into words and hands them to the sink, until the text ends or the sink stops.
    mutating func tokenize(_ text: String) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var ascii = text
            ascii.withUTF8 { scan($0) }
        } else {
            CanonicalChunks.forEach(in: text) { chunk in
                chunk.withUTF8 { scan($0) }
                return !stopped
            }
        }
        flushWord()
    }

    /// Scans NFD UTF-8 (valid, as a `String` holds it). A word may continue into the next call.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < bytes.count, !stopped {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte == UInt8(ascii: "["), let (id, length) = literalSpecial(in: bytes, at: index) {
                    flushWord()
                    if !stopped { stopped = !sink.takeSpecial(id) }
                    index += length
                    continue
                }
                switch BertCharacterKind.ascii(byte) {
                case .whitespace: flushWord()
                case .punctuation: emitAlone(Unicode.Scalar(byte))
                case .letter: appendASCII(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                case .ignored, .ideograph, .mark: break
                }
                index += 1
            } else {
                let (scalar, length) = Self.decodeScalar(in: bytes, at: index)
                take(scalar)
                index += length
            }
        }
    }

    /// Handles one non-ASCII scalar of NFD text.
    private mutating func take(_ scalar: Unicode.Scalar) {
        switch BertCharacterKind(scalar) {
        case .ignored, .mark:
            return
        case .whitespace:
            flushWord()
        case .ideograph, .punctuation:
            emitAlone(scalar)
        case .letter:
            let properties = scalar.properties
            guard properties.changesWhenLowercased else {
                append(scalar)
                return
            }
            for lower in properties.lowercaseMapping.unicodeScalars {
                if BertCharacterKind(lower) == .punctuation { emitAlone(lower) } else { append(lower) }
            }
        }
    }

    /// The literal special token starting at `index`, if any: its id and byte length.
    private func literalSpecial(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Int32, Int)? {
        for special in literalSpecials where index + special.utf8.count <= bytes.count {
            var matches = true
            for offset in special.utf8.indices where bytes[index + offset] != special.utf8[offset] {
                matches = false
                break
            }
            if matches { return (special.id, special.utf8.count) }
        }
        return nil
    }

    private mutating func appendASCII(_ byte: UInt8) {
        if wordScalars < storedScalarLimit { word.append(byte) }
        wordScalars += 1
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        if wordScalars < storedScalarLimit {
            UTF8.encode(scalar) { word.append($0) }
        }
        wordScalars += 1
    }

    /// A word of one scalar (punctuation, a CJK ideograph), ending the word before it.
    private mutating func emitAlone(_ scalar: Unicode.Scalar) {
        flushWord()
        append(scalar)
        flushWord()
    }

    private mutating func flushWord() {
        guard wordScalars > 0 else { return }
        if !stopped {
            let count = wordScalars
            stopped = !word.withUnsafeBufferPointer { sink.takeWord($0, scalarCount: count) }
        }
        word.removeAll(keepingCapacity: true)
        wordScalars = 0
    }

    /// Decodes the scalar that starts at `index` of valid UTF-8 (its first byte is 0x80 or more).
    @inline(__always)
    private static func decodeScalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(bytes[index])
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = lead & (0xFF >> (length + 1))
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}

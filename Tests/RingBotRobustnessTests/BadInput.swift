import Foundation

/// Generators of hostile user text, one family per kind of trouble. Every case is a
/// pure function of its family and seed, so a failure names a reproducible input.
enum BadInput: String, CaseIterable, Sendable {
    case combiningStacks
    case bidi
    case zeroWidth
    case emoji
    case randomBytes
    case nul
    case ansi
    case markup
    case whitespace
    case compatibility
    case oddScalars
    case longWords
    case mixed

    /// One case of this family for `seed`.
    func generate(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed &* 0x1000_0001 &+ UInt64(BadInput.allCases.firstIndex(of: self)!))
        return generate(using: &rng)
    }

    func generate(using rng: inout SplitMix64) -> String {
        switch self {
        case .combiningStacks:
            var s = ""
            for _ in 0..<rng.int(1...6) {
                s += rng.pick(Self.words)
                for _ in 0..<rng.int(1...300) {
                    s.unicodeScalars.append(rng.pick([rng.scalar(0x0300...0x036F), rng.scalar(0x0483...0x0489),
                                                     rng.scalar(0x1AB0...0x1ACE), rng.scalar(0x20D0...0x20F0),
                                                     rng.scalar(0xFE20...0xFE2F), rng.scalar(0x0E31...0x0E3A)]))
                }
                s += " "
            }
            return s
        case .bidi:
            let controls: [Unicode.Scalar] = ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
                                              "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}"]
            var s = ""
            for _ in 0..<rng.int(1...12) {
                if rng.chance(50) { s.unicodeScalars.append(rng.pick(controls)) }
                s += rng.pick(Self.words + Self.rtlWords)
                if rng.chance(30) { s.unicodeScalars.append(rng.scalar(0x0600...0x06FF)) }
                if rng.chance(30) { s.unicodeScalars.append(rng.scalar(0x05D0...0x05EA)) }
                s += rng.pick([" ", "", "\u{202E}", "\u{2067}"])
            }
            return s
        case .zeroWidth:
            let invisible: [Unicode.Scalar] = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}",
                                               "\u{00AD}", "\u{034F}", "\u{180E}", "\u{2061}", "\u{2064}"]
            var s = ""
            for _ in 0..<rng.int(1...8) {
                for character in rng.pick(Self.words) {
                    s.append(character)
                    if rng.chance(40) { s.unicodeScalars.append(rng.pick(invisible)) }
                }
                s += rng.pick([" ", "\u{200B}", "\u{FEFF}", ""])
            }
            return s
        case .emoji:
            var s = ""
            for _ in 0..<rng.int(1...15) {
                switch rng.int(0...6) {
                case 0: s += rng.pick(["👨‍👩‍👧‍👦", "👩‍❤️‍💋‍👨", "🧑🏽‍🤝‍🧑🏿", "🏳️‍🌈", "🏴‍☠️", "👁️‍🗨️"])
                case 1:  // skin tones, also dangling
                    s.unicodeScalars.append(rng.pick(["\u{1F44D}", "\u{1F44B}", "\u{1F9D1}", "\u{200D}", " "]))
                    s.unicodeScalars.append(rng.scalar(0x1F3FB...0x1F3FF))
                case 2:  // regional indicators: flags, and odd runs
                    for _ in 0..<rng.int(1...7) { s.unicodeScalars.append(rng.scalar(0x1F1E6...0x1F1FF)) }
                case 3:  // keycaps and tag sequences
                    s += rng.pick(["1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "\u{E0067}\u{E007F}", "\u{FE0F}\u{20E3}"])
                case 4:
                    s.unicodeScalars.append(rng.scalar(0x1F300...0x1FAFF))
                    if rng.chance(50) { s.unicodeScalars.append("\u{200D}") }
                case 5: s += rng.pick(["📞", "☎️", "📵", "🔕", "😭", "🤔"])
                default: s += rng.pick(Self.words)
                }
                if rng.chance(40) { s += " " }
            }
            return s
        case .randomBytes:
            var bytes: [UInt8] = []
            for _ in 0..<rng.int(0...400) {
                switch rng.int(0...4) {
                case 0: bytes += [0xED, UInt8(rng.int(0xA0...0xBF)), UInt8(rng.int(0x80...0xBF))]  // encoded surrogate
                case 1: bytes += [rng.pick([0xC0, 0xC1, 0xF5, 0xFE, 0xFF] as [UInt8])]  // never valid
                case 2: bytes += [UInt8(rng.int(0xC2...0xF4))]  // truncated lead byte
                case 3: bytes += Array(rng.pick(Self.words).utf8) + [0x20]
                default: bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        case .nul:
            var s = ""
            for _ in 0..<rng.int(1...10) {
                if rng.chance(60) { s += String(repeating: "\u{0}", count: rng.int(1...5)) }
                s += rng.pick(Self.words)
                if rng.chance(50) { s += rng.pick([" ", "\u{0}", "\u{1}\u{2}\u{7}\u{8}", "\u{7F}"]) }
            }
            return s
        case .ansi:
            let sequences = ["\u{1B}[31m", "\u{1B}[0m", "\u{1B}[2J", "\u{1B}[1;1H", "\u{1B}[?1049h", "\u{1B}]0;pwned\u{07}",
                             "\u{1B}]8;;https://evil.example\u{1B}\\", "\u{1B}]52;c;aGVsbG8=\u{07}", "\u{1B}P+q\u{1B}\\",
                             "\u{9B}31m", "\u{9D}0;x\u{9C}", "\u{1B}", "\u{1B}\u{1B}[31m", "\u{1B}[", "\u{1B}]", "\u{1B}(0",
                             "\u{1B}c", "\u{8}\u{8}\u{8}", "\r", "\u{1B}[38;2;255;0;0m", "\u{1B}[6n"]
            var s = ""
            for _ in 0..<rng.int(1...10) {
                s += rng.pick(sequences)
                if rng.chance(70) { s += rng.pick(Self.words) + " " }
            }
            return s
        case .markup:
            let pieces = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
                          "&amp;", "&lt;p&gt;", "&#60;b&#62;", "&#x3C;", "</p><p>", "<strong>", "</li></ol><script>",
                          "<a href=\"javascript:x\">", "'\"><svg onload=alert(1)>", "**bold**", "`code`", "# h1",
                          "> quote", "![x](http://e/x.png)", "<!-- -->", "<![CDATA[x]]>", "\\<escaped\\>", "<<>>", "<", ">",
                          "\u{FF1C}script\u{FF1E}", "\u{2039}b\u{203A}", "\u{FE64}i\u{FE65}"]
            var s = ""
            for _ in 0..<rng.int(1...8) {
                s += rng.pick(pieces)
                if rng.chance(60) { s += rng.pick(Self.words) + rng.pick([" ", "", "\n"]) }
            }
            return s
        case .whitespace:
            let spaces: [Unicode.Scalar] = [" ", "\t", "\r", "\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}",
                                            "\u{2000}", "\u{2007}", "\u{200A}", "\u{2028}", "\u{2029}", "\u{202F}",
                                            "\u{205F}", "\u{3000}", "\u{200B}"]
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.int(0...50) { s.append(rng.pick(spaces)) }
            return String(s)
        case .compatibility:
            // Scalars whose compatibility decomposition expands (ligatures, squared units, Arabic ligatures).
            let expanding: [Unicode.Scalar] = ["\u{FB03}", "\u{FB04}", "\u{3389}", "\u{2177}", "\u{33C2}", "\u{FDFA}",
                                               "\u{FDFB}", "\u{2474}", "\u{249C}", "\u{3250}", "\u{1F12F}", "\u{FF37}",
                                               "\u{2460}", "\u{00BD}", "\u{2153}", "\u{1D400}", "\u{3200}"]
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.int(1...200) {
                s.append(rng.pick(expanding))
                if rng.chance(20) { s.append(" ") }
            }
            return String(s)
        case .oddScalars:
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.int(1...60) {
                s.append(rng.pick([rng.scalar(0xE000...0xF8FF), rng.scalar(0xF0000...0x10FFFF), rng.scalar(0xFDD0...0xFDEF),
                                   rng.scalar(0xFFF0...0xFFFF), rng.scalar(0xE0000...0xE007F), rng.scalar(0x80...0x9F),
                                   rng.scalar(0x0...0x1F), rng.scalar(0x30000...0x3FFFD), "\u{FFFD}", "\u{FFFC}"]))
            }
            return String(s)
        case .longWords:
            // Long runs of letters with no triple repeats (so no squeezing), up to the 1000-scalar cut.
            let letters = Array("abcdefghijklmnopqrstuvwxyz".unicodeScalars)
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.int(30...1_200) { s.append(rng.pick(letters)) }
            return rng.chance(50) ? String(s) : rng.pick(Self.words) + " " + String(s) + " call"
        case .mixed:
            var s = ""
            for _ in 0..<rng.int(1...6) {
                let family = rng.pick(BadInput.allCases.filter { $0 != .mixed && $0 != .longWords })
                s += family.generate(using: &rng)
                s += rng.pick([" ", "\n", "\r\n", ""]) + rng.pick(Self.words) + " "
            }
            return s
        }
    }

    /// Words the knowledge knows, so hostile text still reaches the dialogue's interesting paths.
    static let words = ["whatsapp", "call", "calling", "ringing", "rings", "once", "unavailable", "blocked", "iphone",
                        "android", "samsung", "thanks", "hi", "help", "human", "stuck", "didnt", "work", "1", "2",
                        "do not disturb", "background data", "wifi", "force stop", "bye", "it rings now", "what"]
    static let rtlWords = ["مكالمة", "واتساب", "لا", "שלום", "שיחה", "محظور"]
}

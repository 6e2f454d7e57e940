import Foundation
import RingBotCore
import Testing

/// Inputs found by the fuzzer (Tests/Fuzz), kept as hex so they survive any editor.
@Suite("Bad input: fuzzer findings")
struct FuzzRegressionTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static let findings: [(name: String, hex: String)] = [
        // U+064C (a combining mark), two invalid bytes, ESC \ "link" ESC "3c". The mark joins the
        // preceding tag's '>' in one Character, so a Character-based tag check saw markup there.
        // The HTML is right; the checks now go scalar by scalar.
        ("combining mark after a tag", "d98cffff1b5c6c696e6b1b3363"),
        // Decoded with replacement, as the fuzzer's own report printed it.
        ("combining mark after a tag, decoded", "d98cefbfbdefbfbd1b5c6c696e6b1b3363"),
    ]

    @Test("Fuzzer findings keep the invariants")
    func findings() {
        for (name, hex) in Self.findings {
            let text = String(decoding: Self.bytes(hex), as: UTF8.self)
            exerciseCore(text, "\(name) (\(hex))")
            let html = HTMLRenderer.render(ReplyDocument([.heading(text), .bullets([text])]))
            #expect(injectedMarkup(html) == nil, "\(name)")
            #expect(html.hasPrefix("<p><strong>\u{64C}"), "\(name): \(html)")
        }
    }
}

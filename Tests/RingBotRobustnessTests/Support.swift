import Foundation
import RingBotCore
import RingBotKnowledge
import RingBotTerminal
import Testing

/// The repository root, found from this file (Tests/RingBotRobustnessTests/Support.swift).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The assistant on the real knowledge, built once for the whole target.
let sharedAssistant: Assistant = {
    let directory = repositoryRoot.appendingPathComponent("Knowledge").path
    do {
        return Assistant(knowledge: try KnowledgeLoader.load(directory: directory))
    } catch {
        fatalError("cannot load the knowledge at \(directory): \(error)")
    }
}()

let knownIntents: Set<String> = Set(sharedAssistant.knowledge.intents.map(\.id)).union(["out_of_scope"])

/// A fixed clock for the dialogue.
let epoch = Date(timeIntervalSince1970: 1_700_000_000)

/// The first bytes of `text` in hex, for failure messages.
func hex(_ text: String, limit: Int = 120) -> String {
    let bytes = text.utf8.prefix(limit).map { String(format: "%02x", $0) }.joined()
    return text.utf8.count > limit ? bytes + "… (\(text.utf8.count) bytes)" : bytes
}

/// What the HTML renderer may emit as markup, as scalars.
let allowedHTMLTags = ["<p>", "</p>", "<strong>", "</strong>", "<ol>", "</ol>", "<ul>", "</ul>", "<li>", "</li>"]
    .map { Array($0.unicodeScalars) }

/// The first `<` or `>` in `html` that is not part of an allowed tag (with what follows), or nil.
/// Scalar by scalar: a combining mark after a tag's `>` joins it in one `Character`.
func injectedMarkup(_ html: String) -> String? {
    let scalars = Array(html.unicodeScalars)
    var i = 0
    while i < scalars.count {
        if scalars[i] == "<" {
            guard let tag = allowedHTMLTags.first(where: { tag in
                i + tag.count <= scalars.count && scalars[i..<(i + tag.count)].elementsEqual(tag)
            }) else { return String(String.UnicodeScalarView(scalars[i...].prefix(60))) }
            i += tag.count
        } else if scalars[i] == ">" {
            return String(String.UnicodeScalarView(scalars[max(0, i - 30)...].prefix(60)))
        } else {
            i += 1
        }
    }
    return nil
}

/// The first control character in `text` other than newline and tab (C0, DEL, C1; ESC included), or a bidi control.
func forbiddenTerminalScalar(_ text: String) -> Unicode.Scalar? {
    text.unicodeScalars.first { scalar in
        let v = scalar.value
        if v == 0x0A || v == 0x09 { return false }
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}

/// Checks every rendering of `document`; `context` names the input for failure messages.
func expectSafeRenderings(_ document: ReplyDocument, _ context: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let html = HTMLRenderer.render(document)
    if let bad = injectedMarkup(html) {
        Issue.record("HTML has markup outside the allowed tags near \(String(reflecting: bad)); \(context)", sourceLocation: sourceLocation)
    }
    let plain = TerminalRenderer(color: false).render(document)
    if let bad = forbiddenTerminalScalar(plain) {
        Issue.record("terminal output (no colour) has U+\(String(bad.value, radix: 16, uppercase: true)); \(context)",
                     sourceLocation: sourceLocation)
    }
    // With colour on, removing the renderer's own SGR codes must leave clean text.
    let colored = TerminalRenderer(color: true).render(document)
    let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    if let bad = forbiddenTerminalScalar(stripped) {
        Issue.record("terminal output (colour) has U+\(String(bad.value, radix: 16, uppercase: true)) besides SGR codes; \(context)",
                     sourceLocation: sourceLocation)
    }
    _ = PlainTextRenderer.render(document)
}

func expectValidConfidence(_ value: Double, _ context: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(value.isFinite && value >= 0 && value <= 1, "confidence \(value) outside [0, 1]; \(context)",
            sourceLocation: sourceLocation)
}

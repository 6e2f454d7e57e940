import CFuzzerDriver
import Foundation
import RingBotCore
import RingBotEncoder
import RingBotKnowledge
import RingBotMatcherCache
import RingBotTerminal

/// The repository's Knowledge/ folder (Tests/Fuzz/Sources/RingBotFuzz/FuzzTarget.swift → ../../../../../Knowledge),
/// or `$RINGBOT_KNOWLEDGE` when set.
private func knowledgeDirectory() -> String {
    if let path = ProcessInfo.processInfo.environment["RINGBOT_KNOWLEDGE"] { return path }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<5 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Knowledge").path
}

/// Built once, on the first input (a global `let` is lazily and atomically initialised).
private let assistant: Assistant = {
    do {
        return Assistant(knowledge: try KnowledgeLoader.load(directory: knowledgeDirectory()))
    } catch {
        fatalError("ringbot-fuzz: cannot load the knowledge at \(knowledgeDirectory()): \(error)")
    }
}()

/// The sentence encoder (`make model` fetches it) and its tokenizer.
private let encoder: SentenceEncoder = {
    do { return try SentenceEncoder() } catch { fatalError("ringbot-fuzz: \(error)") }
}()
private let tokenizer: WordPieceTokenizer = {
    do {
        return try WordPieceTokenizer(vocabularyFile: ModelFiles.defaultDirectory().appendingPathComponent("vocab.txt"))
    } catch { fatalError("ringbot-fuzz: \(error)") }
}()

/// The hybrid matcher on the same knowledge, from the compiled cache (compiled on first use).
private let hybrid: Assistant = {
    let directory = knowledgeDirectory()
    do {
        let knowledge = try KnowledgeLoader.load(directory: directory)
        let loader = HybridAssistantLoader(cache: CompiledMatcherCache(directory: CompiledMatcherCache.defaultDirectory()))
        return loader.load(knowledge: knowledge, directory: directory, tuning: MatcherTuning(), embedder: encoder).assistant
    } catch {
        fatalError("ringbot-fuzz: cannot load the knowledge at \(directory): \(error)")
    }
}()

private let knownIntents: Set<String> = Set(assistant.knowledge.intents.map(\.id)).union(["out_of_scope"])

/// A fixed clock: the dialogue reads no clock, and idle expiry must not depend on the run.
private let start = Date(timeIntervalSince1970: 1_700_000_000)

private let allowedTagScalars = ["<p>", "</p>", "<strong>", "</strong>", "<ol>", "</ol>", "<ul>", "</ul>", "<li>", "</li>"]
    .map { Array($0.unicodeScalars) }

private func check(_ condition: Bool, _ message: @autoclosure () -> String, _ text: String) {
    if !condition {
        let hex = text.utf8.prefix(256).map { String(format: "%02x", $0) }.joined()
        fatalError("ringbot-fuzz invariant violated: \(message()) — input (first 256 bytes, hex): \(hex)")
    }
}

private func checkConfidence(_ value: Double, _ what: String, _ text: String) {
    check(value.isFinite && value >= 0 && value <= 1, "\(what) confidence \(value) outside [0, 1]", text)
}

/// Every `<` in the HTML opens an allowed tag, and every `>` closes one: text never becomes markup.
/// Scalar by scalar, not by `Character`: a combining mark at the start of the user's text forms one
/// grapheme with the tag's `>` (harmless to an HTML parser, which reads code points).
private func checkHTML(_ html: String, _ text: String) {
    let scalars = Array(html.unicodeScalars)
    var i = 0
    while i < scalars.count {
        if scalars[i] == "<" {
            let tag = allowedTagScalars.first { tag in
                i + tag.count <= scalars.count && scalars[i..<(i + tag.count)].elementsEqual(tag)
            }
            check(tag != nil, "HTML output has injected markup: \(html.prefix(200))", text)
            i += tag!.count
        } else {
            check(scalars[i] != ">", "HTML output has a stray '>': \(html.prefix(200))", text)
            i += 1
        }
    }
}

/// No C0/C1 control characters (so no ESC) except newline and tab.
private func checkTerminal(_ output: String, _ text: String) {
    for scalar in output.unicodeScalars {
        let v = scalar.value
        let control = v < 0x20 || (0x7F...0x9F).contains(v)
        check(!control || v == 0x0A || v == 0x09,
              "terminal output has control character U+\(String(v, radix: 16, uppercase: true))", text)
        check(!(0x202A...0x202E).contains(v) && !(0x2066...0x2069).contains(v),
              "terminal output has bidi control U+\(String(v, radix: 16, uppercase: true))", text)
    }
}

/// With colour on, the only escapes are the renderer's own SGR codes (`ESC [ digits m`).
private func checkColoredTerminal(_ output: String, _ text: String) {
    var scalars = Array(output.unicodeScalars)[...]
    while let escape = scalars.firstIndex(of: "\u{1B}") {
        var i = escape + 1
        check(i < scalars.endIndex && scalars[i] == "[", "colour output has a non-SGR escape", text)
        i += 1
        while i < scalars.endIndex, ("0"..."9").contains(scalars[i]) || scalars[i] == ";" { i += 1 }
        check(i < scalars.endIndex && scalars[i] == "m", "colour output has a non-SGR escape", text)
        scalars = scalars[(i + 1)...]
    }
    checkTerminal(String(String.UnicodeScalarView(scalars)), text)
}

private func checkDocument(_ document: ReplyDocument, _ text: String) {
    checkHTML(HTMLRenderer.render(document), text)
    checkTerminal(TerminalRenderer(color: false).render(document), text)
    checkColoredTerminal(TerminalRenderer(color: true).render(document), text)
    _ = PlainTextRenderer.render(document)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    // Normalisation: bounded by the first maxInputScalars scalars, whatever the length.
    let tokens = TextNormalizer.tokens(text)
    let limit = TextNormalizer.maxInputScalars
    // NFKC expands one scalar to at most 18, so at most that many tokens per kept scalar.
    check(tokens.count <= 18 * limit, "\(tokens.count) tokens", text)
    if text.unicodeScalars.count > limit {
        let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        check(TextNormalizer.tokens(prefix) == tokens, "tokens depend on text past maxInputScalars", text)
    }
    check(tokens.allSatisfy { !$0.isEmpty }, "empty token", text)

    // The encoder's front: at most 256 vocabulary ids, [CLS] first, [SEP] last; a finite unit vector.
    let cut = TextNormalizer.cut(text)
    let ids = tokenizer.encode(cut)
    check(ids.count >= 2 && ids.count <= 256 && ids.first == 101 && ids.last == 102, "token ids \(ids.prefix(8))", text)
    check(ids.allSatisfy { $0 >= 0 && $0 < 30522 }, "token id outside the vocabulary", text)
    let embedding = encoder.embed(cut)
    let norm = embedding.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
    check(embedding.count == 384 && embedding.allSatisfy { $0.isFinite } && abs(norm - 1) < 1e-3,
          "embedding of \(embedding.count) values, norm \(norm)", text)

    // Classification, by both matchers.
    for matcher in [assistant, hybrid] {
        let result = matcher.classify(text)
        checkConfidence(result.confidence, "classify", text)
        check(knownIntents.contains(result.intent), "unknown intent \(result.intent)", text)
        for candidate in result.ranked {
            checkConfidence(candidate.confidence, "ranked \(candidate.intent)", text)
            check(knownIntents.contains(candidate.intent), "unknown ranked intent \(candidate.intent)", text)
        }
    }

    // A conversation: the lines are the turns (at least three: the whole text, then the lines, cycled).
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var turns = Array(lines.prefix(3))
    while turns.count < 3 { turns.append(turns.count == 1 ? text : lines[turns.count % lines.count]) }
    var state = ConversationState()
    for (n, turn) in turns.enumerated() {
        let reply = hybrid.respond(to: turn, state: &state, now: start.addingTimeInterval(Double(n) * 5))
        checkConfidence(reply.confidence, "reply", text)
        check(knownIntents.contains(reply.intent), "unknown reply intent \(reply.intent)", text)
        if let topic = state.topic { check(knownIntents.contains(topic), "unknown topic \(topic)", text) }
        check(!reply.plainText.isEmpty, "empty reply", text)
        checkDocument(reply.document, text)
    }

    // Documents quoting the user's text (future replies may): still no markup, no escapes.
    checkDocument(ReplyDocument([.heading(text), .paragraph(text), .numbered(lines), .bullets(tokens)]), text)
    check(HTMLRenderer.escape(text).unicodeScalars.allSatisfy { $0 != "<" && $0 != ">" && $0 != "\"" && $0 != "'" },
          "escape left markup characters", text)
    checkTerminal(TerminalSanitizer.clean(text), text)
    return 0
}

/// The entry point. SwiftPM links Linux executables with `--defsym main=ringbot_fuzz_main`
/// (so that tests can link the executable's module), which hides libFuzzer's own `main`;
/// this does what that `main` does.
@_cdecl("ringbot_fuzz_main")
public func ringbotFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}

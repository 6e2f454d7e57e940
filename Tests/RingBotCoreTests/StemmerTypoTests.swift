import Testing
import RingBotCore

@Suite("Stemmer")
struct StemmerTests {
    @Test("maps the forms users type to one key", arguments: [
        ("ringing", "ring"), ("rings", "ring"), ("ringed", "ring"), ("ring", "ring"),
        ("blocked", "block"), ("blocking", "block"), ("blocks", "block"),
        ("calling", "call"), ("called", "call"), ("calls", "call"), ("call", "call"),
        ("closing", "clos"), ("close", "clos"), ("closed", "clos"),
        ("stopped", "stop"), ("stopping", "stop"), ("running", "run"),
        ("falling", "fall"), ("missed", "miss"), ("misses", "miss"),
        ("stories", "story"), ("replies", "reply"),
        ("quickly", "quick"),
        ("status", "status"), ("this", "this"), ("miss", "miss"),
        ("sing", "sing"), ("bring", "bring"),
        ("it", "it"), ("is", "is"), ("bus", "bus"), ("", ""),
        ("café", "café"), ("iphone13", "iphone13"),
    ])
    func stems(word: String, stem: String) {
        #expect(Stemmer.stem(word) == stem)
    }
}

@Suite("Typo tolerance")
struct TypoTests {
    @Test("a misspelt word analyses like the correct spelling", arguments: [
        ("whatsap", "whatsapp"),
        ("ringin", "ringing"),
        ("calll", "call"),
        ("unavialable", "unavailable"),
        ("distrub", "disturb"),
        ("blockd", "blocked"),
    ])
    func misspeltWord(typo: String, correct: String) throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze(typo).terms == assistant.analyze(correct).terms)
        #expect(!assistant.analyze(correct).terms.isEmpty)
    }

    @Test("a sentence with typos gets the intent of the correct sentence", arguments: [
        ("my whatsap call keeps ringin once then says unavialable", "my whatsapp call keeps ringing once then says unavailable"),
        ("how do i turn off do not distrub on my phone", "how do i turn off do not disturb on my phone"),
        ("i think she blockd me on whatsap", "i think she blocked me on whatsapp"),
        ("whatsapp calll stuck on calling", "whatsapp call stuck on calling"),
    ])
    func misspeltSentence(typo: String, correct: String) throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze(typo).terms == assistant.analyze(correct).terms)
        #expect(assistant.classify(typo).intent == assistant.classify(correct).intent)
    }

    @Test("short words are never corrected (only respelt when the lexicon says so)", arguments: ["hte", "clal", "rng", "blok", "wha"])
    func shortWords(word: String) throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze(word).words == [word])
    }

    @Test("the corrector picks the nearest known word, then the most frequent")
    func corrector() {
        let corrector = TypoCorrector(vocabulary: ["whatsapp": 3, "ringing": 2, "unavailable": 1, "bread": 1, "break": 5])
        #expect(corrector.correct("whatsap") == "whatsapp")     // a letter missing
        #expect(corrector.correct("whatsaapp") == "whatsapp")   // a letter extra
        #expect(corrector.correct("rigning") == "ringing")      // two letters swapped
        #expect(corrector.correct("unavialable") == "unavailable")
        #expect(corrector.correct("breax") == "break")          // tie on distance: the more frequent word
        #expect(corrector.correct("zzzzzzz") == "zzzzzzz")      // nothing close: unchanged
        #expect(corrector.correct("brea") == "brea")            // shorter than minLength: unchanged
        #expect(corrector.correct("whatsapp") == "whatsapp")
        #expect(corrector.knows("ringing"))
        #expect(!corrector.knows("ringin"))
    }

    @Test("words under eight letters are at most one edit away")
    func oneEditLimit() {
        let corrector = TypoCorrector(vocabulary: ["signal": 1])
        #expect(corrector.correct("signak") == "signal")
        #expect(corrector.correct("sygnak") == "sygnak")  // two edits on a six-letter word: unchanged
    }
}

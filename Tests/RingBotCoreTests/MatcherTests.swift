import Testing
import RingBotCore

/// Utterances written for these tests (not taken from shared/data or the knowledge examples).
let matcherCases: [(String, String)] = [
    // calling_vs_ringing
    ("so what's the actual difference between calling and ringing in a whatsapp call", "calling_vs_ringing"),
    ("if whatsapp shows ringing, has the call reached their phone?", "calling_vs_ringing"),
    ("what does calling mean on the whatsapp screen", "calling_vs_ringing"),
    // stuck_on_calling
    ("every whatsapp call i make just sits on calling and never rings", "stuck_on_calling"),
    ("my wa calls stay stuck on calling, how do i fix it", "stuck_on_calling"),
    ("calling my sister on whatsapp never rings her phone", "stuck_on_calling"),
    // one_ring_unavailable
    ("the whatsapp call rings once and then says unavailable", "one_ring_unavailable"),
    ("it rang one time and then showed unavailable", "one_ring_unavailable"),
    ("whatsapp rings for a split second then drops, why", "one_ring_unavailable"),
    // blocked
    ("could he have blocked me on whatsapp, my calls never ring", "blocked"),
    ("how can i tell if someone blocked my number on whatsapp", "blocked"),
    ("she might have blocked me, is that why it only says calling", "blocked"),
    // inactive_account
    ("my friend deleted whatsapp, is that why it just says calling", "inactive_account"),
    ("he changed his number and now whatsapp calls dont go through", "inactive_account"),
    ("what if she stopped using whatsapp altogether", "inactive_account"),
    // recipient_network
    ("maybe her phone is switched off, would the call still say calling", "recipient_network"),
    ("he has no internet where he lives, is that why my whatsapp call wont ring", "recipient_network"),
    ("the other person has a weak signal, does that stop whatsapp calls", "recipient_network"),
    // force_stop
    ("how do i force stop whatsapp", "force_stop"),
    ("whatsapp keeps freezing and crashing when i call", "force_stop"),
    ("my chats keep scrolling up on their own in whatsapp", "force_stop"),
    // background_data
    ("calls only ring when she has whatsapp open", "background_data"),
    ("does data saver stop whatsapp calls from ringing", "background_data"),
    ("how to allow background data for whatsapp", "background_data"),
    // do_not_disturb
    ("could do not disturb be stopping my whatsapp calls", "do_not_disturb"),
    ("how do i turn off focus mode so whatsapp calls ring", "do_not_disturb"),
    ("her phone is on silent mode, will my call ring", "do_not_disturb"),
    // greeting
    ("hello there", "greeting"),
    ("good morning ringbot", "greeting"),
    // thanks
    ("thanks so much for your help", "thanks"),
    ("cheers, that fixed it", "thanks"),
    // goodbye
    ("ok bye", "goodbye"),
    ("goodnight, see you", "goodbye"),
    // help
    ("what can you do", "help"),
    ("what kind of questions can i ask you", "help"),
    // handoff
    ("i want to speak to a real person", "handoff"),
    ("connect me with a human agent please", "handoff"),
    // out_of_scope: other WhatsApp features, other apps, small talk, gibberish, empty
    ("how do i back up my whatsapp chats to google drive", "out_of_scope"),
    ("how do i create a sticker pack in whatsapp", "out_of_scope"),
    ("my telegram calls keep cutting out", "out_of_scope"),
    ("whats the weather like tomorrow", "out_of_scope"),
    ("asdkjh qwpoe zxmnb", "out_of_scope"),
    ("", "out_of_scope"),
    ("   ", "out_of_scope"),
]

@Suite("Intent matcher")
struct MatcherTests {
    @Test("new utterances get the expected intent", arguments: matcherCases)
    func classifies(text: String, intent: String) throws {
        let assistant = try RealKnowledge.assistant()
        let result = assistant.classify(text)
        #expect(result.intent == intent, "\"\(text)\": best \(result.ranked.prefix(3).map { "\($0.intent) \($0.confidence)" })")
    }

    @Test("the table spans every intent of the knowledge")
    func tableCoversEveryIntent() throws {
        let assistant = try RealKnowledge.assistant()
        let covered = Set(matcherCases.map(\.1))
        let all = Set(assistant.knowledge.intents.map(\.id))
        #expect(all.subtracting(covered).isEmpty, "not covered: \(all.subtracting(covered).sorted())")
        #expect(all.count >= 15)
    }

    @Test("confidence is in [0, 1] and the ranked probabilities sum to 1", arguments: matcherCases.map(\.0))
    func probabilities(text: String) throws {
        let assistant = try RealKnowledge.assistant()
        let result = assistant.classify(text)
        #expect((0...1).contains(result.confidence))
        #expect(result.ranked.allSatisfy { (0...1).contains($0.confidence) })
        #expect(abs(result.ranked.map(\.confidence).reduce(0, +) - 1) < 1e-6)
        #expect(zip(result.ranked, result.ranked.dropFirst()).allSatisfy { $0.confidence >= $1.confidence },
                "ranked must be best first")
    }

    @Test("ranked lists every intent once when the message has known words")
    func rankedListsEveryIntent() throws {
        let assistant = try RealKnowledge.assistant()
        let ranked = assistant.classify("whatsapp call stuck on calling").ranked
        #expect(ranked.count == assistant.knowledge.intents.count)
        #expect(Set(ranked.map(\.intent)) == Set(assistant.knowledge.intents.map(\.id)))
    }

    @Test("a best guess below the answer threshold becomes out_of_scope")
    func lowConfidenceFallsBack() throws {
        let assistant = try RealKnowledge.assistant()
        let threshold = assistant.knowledge.settings.answerThreshold
        for (text, _) in matcherCases {
            let result = assistant.classify(text)
            guard let best = result.ranked.first else { continue }
            if best.intent != "out_of_scope" && best.confidence < threshold {
                #expect(result.intent == "out_of_scope", "\"\(text)\"")
                #expect(abs(result.confidence - (1 - best.confidence)) < 1e-9)
            } else {
                #expect(result.intent == best.intent, "\"\(text)\"")
                #expect(result.confidence == best.confidence)
            }
        }
    }

    @Test("a message of unknown words is out_of_scope")
    func unknownWords() throws {
        let assistant = try RealKnowledge.assistant()
        let result = assistant.classify("xqzv plmkjn")
        #expect(result.intent == "out_of_scope")
        #expect(result.confidence >= assistant.knowledge.settings.answerThreshold)
    }

    @Test("with no anchors in the lexicon, a message of unknown words is out_of_scope with full confidence")
    func unknownWordsNoAnchors() {
        let assistant = Assistant(knowledge: ClarificationTests.knowledge())
        let result = assistant.classify("xqzv plmkjn")
        #expect(result.intent == "oos")
        #expect(result.confidence == 1)
        #expect(result.ranked.map(\.intent) == ["oos"])
    }

    @Test("classification is deterministic")
    func deterministic() throws {
        let assistant = try RealKnowledge.assistant()
        let text = "whatsapp call rings once then unavailable on my iphone"
        #expect(assistant.classify(text) == assistant.classify(text))
    }

    @Test("negation marks the next content term")
    func negation() throws {
        let assistant = try RealKnowledge.assistant()
        let terms = assistant.analyze("he has not blocked me").terms
        #expect(terms.contains("!#block"), "terms: \(terms)")
        #expect(!terms.contains("#block"))
    }

    @Test("dialogue cues are found in messages")
    func cues() throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze("that didn't work").cues == [.notFixed], "a negated \"that worked\" is not a fixed cue")
        #expect(assistant.analyze("that never worked").cues == [], "a negated \"that worked\" is not a fixed cue")
        #expect(assistant.analyze("yay it rings now").cues == [.fixed])
        #expect(assistant.analyze("whatsapp calls stuck on calling").cues.isEmpty)
    }

    @Test("a message without any anchor of the pack is marked")
    func noAnchor() throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze("tell me a joke").terms.contains(TextAnalyzer.noAnchorTerm))
        #expect(!assistant.analyze("whatsapp call stuck").terms.contains(TextAnalyzer.noAnchorTerm))
    }
}

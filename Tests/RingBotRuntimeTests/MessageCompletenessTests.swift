import Foundation
import Testing
import RingBotCore
import RingBotRuntime
import RingBotTestSupport

@Suite struct MessageCompletenessTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func complete(_ text: String, state: ConversationState? = nil) throws -> Bool {
        MessageCompleteness.isComplete(text, assistant: try TestKnowledge.real(), state: state, now: now)
    }

    @Test(arguments: ["so", "my whatsapp", "calls", "and", "hmm"])
    func shortMessagesThatSayNothingYetAreFragments(text: String) throws {
        #expect(try !complete(text))
    }

    @Test(arguments: ["hey", "thanks", "help", "why no ringing?", "my whatsapp calls say calling instead of ringing",
                      "they just say calling", "question number 7?"])
    func questionsGreetingsAndLongerMessagesAreComplete(text: String) throws {
        #expect(try complete(text))
    }

    @Test func aFollowUpTheDialogueCanAnswerIsComplete() throws {
        var state = ConversationState()
        _ = try TestKnowledge.real().respond(to: "my whatsapp calls say calling instead of ringing", state: &state, now: now)
        #expect(state.topic != nil)
        #expect(try complete("on iphone", state: state))
    }
}

import Foundation
import Logging
import Testing
import RingBotCore
import RingBotRuntime

@Suite struct BotEngineTests {
    let key = ConversationKey(room: "!r:x", user: "@alice:x")

    func message(_ id: String, _ text: String = "hello") -> IncomingMessage {
        IncomingMessage(conversation: key, text: text, messageID: id, sentAt: Date())
    }

    @Test func prepareStoresNothingUntilCommit() async throws {
        let store = InMemoryConversationStore()
        let engine = BotEngine(assistants: AssistantBox(testAssistant()), store: store, logger: Logger(label: "t"))
        guard case .reply(_, let turn) = try await engine.prepare(message("$1")) else {
            Issue.record("expected a reply"); return
        }
        #expect(try store.isHandled(messageID: "$1") == false)
        try await engine.commit(turn)
        #expect(try store.isHandled(messageID: "$1"))
        #expect(try await engine.prepare(message("$1")) == .ignore)
    }

    @Test func unansweredQuestionsAreRecordedWithAHashedSender() async throws {
        let store = InMemoryConversationStore()
        let clock = ManualClock()
        let engine = BotEngine(assistants: AssistantBox(testAssistant()), store: store,
                               clock: { clock.now }, logger: Logger(label: "t"))
        // A whole question (a question mark, not a fragment the dialogue waits to complete).
        _ = try await engine.answer(message("$1", "what is the weather?"))
        let questions = store.unansweredQuestions
        #expect(questions.count == 1)
        #expect(questions.first?.text == "what is the weather?")
        #expect(questions.first?.askedAt == clock.now)
        #expect(questions.first?.senderHash.contains("alice") == false)
        #expect(questions.first?.senderHash.count == 16)
    }

    @Test func floodingGetsOneSlowDownThenSilenceUntilTheCoolDownEnds() async throws {
        let clock = ManualClock()
        let engine = BotEngine(assistants: AssistantBox(testAssistant()), store: InMemoryConversationStore(),
                               flood: FloodControlSettings(maxMessages: 2, window: 30, coolDown: 60),
                               clock: { clock.now }, logger: Logger(label: "t"))
        var outcomes: [String] = []
        for index in 0..<5 {
            switch try await engine.answer(message("$\(index)")) {
            case .reply: outcomes.append("reply")
            case .slowDown: outcomes.append("slow")
            case .ignore: outcomes.append("ignore")
            }
        }
        #expect(outcomes == ["reply", "reply", "slow", "ignore", "ignore"])
        clock.advance(61)
        guard case .reply = try await engine.answer(message("$9")) else {
            Issue.record("expected an answer after the cool-down"); return
        }
    }

    @Test func theAssistantCanBeSwappedBetweenMessages() async throws {
        let box = AssistantBox(testAssistant())
        var knowledge = testAssistant().knowledge
        knowledge.settings.answerThreshold = 0.9
        let engine = BotEngine(assistants: box, store: InMemoryConversationStore(), logger: Logger(label: "t"))
        #expect(engine.answerThreshold == KnowledgeSettings().answerThreshold)
        box.replace(with: Assistant(knowledge: knowledge))
        #expect(engine.answerThreshold == 0.9)
    }
}

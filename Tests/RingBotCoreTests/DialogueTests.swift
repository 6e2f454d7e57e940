import Foundation
import Testing
import RingBotCore

/// Plays a conversation one turn a minute apart, from `t0`.
struct Conversation {
    let assistant: Assistant
    var state = ConversationState()
    var clock = t0

    init() throws {
        assistant = try RealKnowledge.assistant()
    }

    mutating func say(_ text: String) -> Reply {
        clock = clock.addingTimeInterval(60)
        return assistant.respond(to: text, state: &state, now: clock)
    }
}

let stuckQuestion = "my whatsapp call keeps saying calling and never rings"
let forceStopQuestion = "how do i force stop whatsapp"

@Suite("Dialogue")
struct DialogueTests {
    @Test("a first question answers its topic and remembers it")
    func firstQuestion() throws {
        var chat = try Conversation()
        let reply = chat.say(stuckQuestion)
        #expect(reply.intent == "stuck_on_calling")
        #expect(reply.answered)
        #expect(chat.state.topic == "stuck_on_calling")
        #expect(chat.state.fixesGiven == ["stuck_on_calling/reconnect"])
        #expect(chat.state.lastActivity == chat.clock)
        // Short enough to read on a phone: the most likely cause and its fix, not the whole list.
        #expect(reply.plainText.contains("Most likely:"))
        #expect(!reply.plainText.contains("All the usual reasons:"))
        #expect(reply.plainText.count < 600)
        #expect(reply.plainText.contains("Ask them to get back online"))
    }

    @Test("naming the platform afterwards answers the same topic for it", arguments: [
        ("iphone", Platform.ios), ("its a samsung", .android), ("what about android?", .android),
        ("I have an iPhone", .ios), ("pixel 7", .android),
    ])
    func platformFollowUp(followUp: String, platform: Platform) throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say(followUp)
        #expect(reply.intent == "stuck_on_calling")
        #expect(reply.platform == platform)
        #expect(chat.state.topic == "stuck_on_calling")
        #expect(chat.state.platform == platform)
    }

    @Test("with the platform unknown, a platform-specific answer shows both platforms")
    func bothPlatforms() throws {
        var chat = try Conversation()
        let reply = chat.say(forceStopQuestion)
        #expect(reply.intent == "force_stop")
        #expect(reply.platform == nil)
        let text = reply.plainText
        #expect(text.contains("On Android:"))
        #expect(text.contains("On iPhone:"))
        #expect(text.contains("Tap Force stop."))
        #expect(text.contains("Swipe up"))
        #expect(text.contains("Android or iPhone"))
    }

    @Test("force_stop for Android shows only the Android steps")
    func forceStopAndroid() throws {
        var chat = try Conversation()
        _ = chat.say(forceStopQuestion)
        let reply = chat.say("its a samsung")
        #expect(reply.intent == "force_stop")
        #expect(reply.platform == .android)
        #expect(reply.plainText.contains("Force stop"))
        #expect(!reply.plainText.contains("Swipe up"))
        #expect(!reply.plainText.contains("On iPhone:"))
    }

    @Test("force_stop for iPhone shows only the iPhone steps, and a switch back to Android works")
    func forceStopIPhoneThenAndroid() throws {
        var chat = try Conversation()
        _ = chat.say(forceStopQuestion)
        let ios = chat.say("iphone")
        #expect(ios.intent == "force_stop")
        #expect(ios.platform == .ios)
        #expect(ios.plainText.contains("Swipe up"))
        #expect(!ios.plainText.contains("Tap Force stop."))
        let android = chat.say("what about android?")
        #expect(android.intent == "force_stop")
        #expect(android.platform == .android)
        #expect(android.plainText.contains("Tap Force stop."))
        #expect(!android.plainText.contains("Swipe up"))
    }

    @Test("a question that names the platform gets only that platform's steps")
    func platformInQuestion() throws {
        var chat = try Conversation()
        let reply = chat.say("how do i force stop whatsapp on my pixel")
        #expect(reply.intent == "force_stop")
        #expect(reply.platform == .android)
        #expect(reply.plainText.contains("Tap Force stop."))
        #expect(!reply.plainText.contains("Swipe up"))
        #expect(!reply.plainText.contains("On Android:"))
    }

    @Test("\"that didn't work\" gives the next untried fix each time, then a handoff")
    func nextFixes() throws {
        var chat = try Conversation()
        let first = chat.say(stuckQuestion)
        let topic = try #require(chat.assistant.knowledge.intent("stuck_on_calling"))
        let contact = chat.assistant.knowledge.settings.contact
        var texts = [first.plainText]
        var given = chat.state.fixesGiven
        let complaints = ["that didn't work", "still not ringing", "no luck", "didnt help", "still the same"]
        for (turn, complaint) in complaints.prefix(topic.fixes.count - 1).enumerated() {
            let reply = chat.say(complaint)
            #expect(reply.intent == "stuck_on_calling", "turn \(turn): \(complaint)")
            #expect(!texts.contains(reply.plainText), "turn \(turn) repeats an earlier reply")
            #expect(chat.state.fixesGiven.count == given.count + 1, "turn \(turn)")
            #expect(Array(chat.state.fixesGiven.prefix(given.count)) == given)
            #expect(Set(chat.state.fixesGiven).count == chat.state.fixesGiven.count, "a fix was repeated")
            let newFix = try #require(chat.state.fixesGiven.last)
            let fix = try #require(topic.fixes.first { "stuck_on_calling/" + $0.id == newFix })
            #expect(reply.plainText.contains(fix.title))
            #expect(!reply.plainText.contains(contact))
            texts.append(reply.plainText)
            given = chat.state.fixesGiven
        }
        #expect(given == topic.fixes.map { "stuck_on_calling/" + $0.id }, "fixes in knowledge order")
        let last = chat.say("still not working")
        #expect(last.intent == "stuck_on_calling")
        #expect(last.plainText.contains(contact))
        #expect(!texts.contains(last.plainText))
    }

    @Test("a fix given for a platform shows that platform's steps")
    func fixStepsForPlatform() throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion + " on my iphone")
        var reply = chat.say("that didn't work")
        while !chat.state.fixesGiven.contains("stuck_on_calling/force_stop") {
            reply = chat.say("that didn't work")
            if chat.state.fixesGiven.count > 5 { break }
        }
        #expect(reply.plainText.contains("Swipe up"))
        #expect(!reply.plainText.contains("Tap Force stop."))
    }

    @Test("\"thanks, it rings now\" closes the topic", arguments: [
        "thanks, it rings now", "that fixed it", "thanks, that worked",
    ])
    func solved(text: String) throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say(text)
        #expect(reply.intent == "thanks")
        #expect(reply.answered)
        #expect(chat.state.topic == nil)
        #expect(chat.state.fixesGiven.isEmpty)
        // With the topic closed, "that didn't work" no longer gives a fix of it.
        let after = chat.say("that didn't work")
        #expect(after.intent != "stuck_on_calling")
        #expect(chat.state.fixesGiven.isEmpty)
    }

    @Test("a plain \"thank you!\" does not claim the calls ring now, and the topic stays open")
    func plainThanks() throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say("thank you!")
        #expect(reply.intent == "thanks")
        #expect(!reply.plainText.lowercased().contains("glad"))
        #expect(chat.state.topic == "stuck_on_calling")
        let after = chat.say("that didn't work")
        #expect(after.intent == "stuck_on_calling")
        #expect(chat.state.fixesGiven.count == 2)
    }

    @Test("a negated success (\"that never worked\") does not close the topic", arguments: [
        "that never worked", "it never works",
    ])
    func negatedSuccess(text: String) throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say(text)
        #expect(reply.intent != "thanks")
        #expect(chat.state.topic == "stuck_on_calling")
    }

    @Test("a clear new question switches topic")
    func switchesTopic() throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say("how do i turn off do not disturb so whatsapp calls ring")
        #expect(reply.intent == "do_not_disturb")
        #expect(chat.state.topic == "do_not_disturb")
        #expect(!chat.state.fixesGiven.contains { $0.hasPrefix("stuck_on_calling/") })
    }

    @Test("after 30 idle minutes the conversation starts afresh")
    func idleExpiry() throws {
        let assistant = try RealKnowledge.assistant()
        var state = ConversationState()
        _ = assistant.respond(to: stuckQuestion, state: &state, now: t0)
        #expect(state.topic == "stuck_on_calling")
        let late = t0.addingTimeInterval(ConversationState.idleExpiry + 60)
        let reply = assistant.respond(to: "iphone", state: &state, now: late)
        #expect(reply.intent != "stuck_on_calling")
        #expect(state.topic == nil)
        #expect(state.fixesGiven.isEmpty)
        #expect(state.lastActivity == late)
    }

    @Test("within 30 minutes the conversation continues")
    func notIdle() throws {
        let assistant = try RealKnowledge.assistant()
        var state = ConversationState()
        _ = assistant.respond(to: stuckQuestion, state: &state, now: t0)
        let reply = assistant.respond(to: "iphone", state: &state,
                                      now: t0.addingTimeInterval(ConversationState.idleExpiry - 60))
        #expect(reply.intent == "stuck_on_calling")
        #expect(reply.platform == .ios)
    }

    @Test("help lists every topic title of the knowledge")
    func help() throws {
        var chat = try Conversation()
        let reply = chat.say("what can you do")
        #expect(reply.intent == "help")
        let topics = chat.assistant.knowledge.intents.filter { $0.role == .topic }
        #expect(topics.count >= 9)
        for topic in topics {
            #expect(reply.plainText.contains(topic.title), "missing \(topic.title)")
        }
    }

    @Test("handoff gives the contact line from the settings")
    func handoff() throws {
        var chat = try Conversation()
        let reply = chat.say("i want to talk to a human")
        #expect(reply.intent == "handoff")
        #expect(reply.answered)
        #expect(!chat.assistant.knowledge.settings.contact.isEmpty)
        #expect(reply.plainText.contains(chat.assistant.knowledge.settings.contact))
    }

    @Test("out of scope is not answered", arguments: [
        "how do i back up my whatsapp chats to google drive", "asdkjh qwpoe zxmnb", "",
    ])
    func outOfScope(text: String) throws {
        var chat = try Conversation()
        let reply = chat.say(text)
        #expect(reply.intent == "out_of_scope")
        #expect(!reply.answered)
        #expect(reply.plainText.contains("I can help with:"))
        #expect(chat.state.topic == nil)
    }

    @Test("greeting and goodbye")
    func greetingAndGoodbye() throws {
        var chat = try Conversation()
        let hello = chat.say("hello there")
        #expect(hello.intent == "greeting")
        _ = chat.say(stuckQuestion + " on my samsung")
        let bye = chat.say("ok bye")
        #expect(bye.intent == "goodbye")
        #expect(chat.state.topic == nil)
        #expect(chat.state.platform == .android, "the platform is kept after goodbye")
    }

    @Test("the platform is remembered for later topics")
    func platformRemembered() throws {
        var chat = try Conversation()
        _ = chat.say("my iphone whatsapp calls are stuck on calling")
        let reply = chat.say(forceStopQuestion)
        #expect(reply.intent == "force_stop")
        #expect(reply.platform == .ios)
        #expect(reply.plainText.contains("Swipe up"))
        #expect(!reply.plainText.contains("Tap Force stop."))
    }
}

@Suite("Clarification (hand-built knowledge)")
struct ClarificationTests {
    static func knowledge() -> KnowledgeBase {
        func examples(_ texts: [String]) -> [Example] { texts.map { Example(text: $0, location: loc()) } }
        let shared = ["router light keeps blinking", "router light blinking red", "blinking light on my router"]
        return KnowledgeBase(
            settings: KnowledgeSettings(contact: "Call Bob.", answerThreshold: 0.2, clarifyMargin: 0.5),
            packs: [],
            lexicon: Lexicon(),
            intents: [
                Intent(id: "oos", title: "Outside", role: .fallback, summary: "No idea.",
                       examples: examples(["pizza recipe please", "weather in paris", "football score tonight"]),
                       location: loc()),
                Intent(id: "firmware", title: "Update the firmware", summary: "Update the router firmware.",
                       examples: examples(shared), location: loc()),
                Intent(id: "cable", title: "Check the cable", summary: "Check the router cable.",
                       examples: examples(shared), location: loc()),
            ])
    }

    @Test("two close topics get a question naming both; \"2\" picks the second")
    func clarifyThenPick() {
        let assistant = Assistant(knowledge: Self.knowledge())
        var state = ConversationState()
        let question = assistant.respond(to: "my router light is blinking", state: &state, now: t0)
        #expect(!question.answered)
        #expect(Set(state.pendingChoice) == ["firmware", "cable"])
        #expect(question.plainText.contains("1. "))
        #expect(question.plainText.contains("Update the firmware"))
        #expect(question.plainText.contains("Check the cable"))
        let second = state.pendingChoice[1]
        let pick = assistant.respond(to: "2", state: &state, now: t0.addingTimeInterval(5))
        #expect(pick.intent == second)
        #expect(pick.answered)
        #expect(state.topic == second)
        #expect(state.pendingChoice.isEmpty)
    }

    @Test("\"the first one\" picks the first candidate")
    func pickFirst() throws {
        let assistant = Assistant(knowledge: Self.knowledge())
        var state = ConversationState()
        _ = assistant.respond(to: "router light blinking", state: &state, now: t0)
        let first = try #require(state.pendingChoice.first)
        let pick = assistant.respond(to: "1", state: &state, now: t0.addingTimeInterval(5))
        #expect(pick.intent == first)
        #expect(state.topic == first)
    }
}

@Suite("Dialogue: clarification on the real knowledge")
struct RealClarificationTests {
    @Test("an either-or question names both topics, and the choice answers the one picked")
    func eitherOr() throws {
        var chat = try Conversation()
        let question = chat.say("is it do not disturb or background data")
        #expect(!question.answered)
        #expect(Set(chat.state.pendingChoice) == ["do_not_disturb", "background_data"])
        #expect(question.plainText.contains("1. "))
        #expect(question.plainText.contains("2. "))
        let second = try #require(chat.state.pendingChoice.last)
        let answer = chat.say("2")
        #expect(answer.intent == second)
        #expect(answer.answered)
        #expect(chat.state.topic == second)
        #expect(chat.state.pendingChoice.isEmpty)
    }

    @Test("a clear question is answered without asking")
    func clearQuestion() throws {
        var chat = try Conversation()
        let reply = chat.say("i think she blocked my number on whatsapp")
        #expect(reply.intent == "blocked")
        #expect(chat.state.pendingChoice.isEmpty)
    }
}

import Foundation
import Testing
@testable import RingBotCore

@Suite("Dialogue: whose phone")
struct WhosePhoneTests {
    static func reader() throws -> PhoneMentionReader {
        PhoneMentionReader(lexicon: try RealKnowledge.assistant().knowledge.lexicon)
    }

    static func read(_ text: String) throws -> PhoneMentions {
        let assistant = try RealKnowledge.assistant()
        return try reader().read(assistant.analyze(text).words)
    }

    @Test("owner, kin and role words give each phone its owner", arguments: [
        ("I'm on a Pixel, my husband has an iPhone", [PhoneMention(platform: .android, owner: .user),
                                                      PhoneMention(platform: .ios, owner: .other)]),
        ("she uses a Redmi", [PhoneMention(platform: .android, owner: .other)]),
        ("mine's an iPhone 13", [PhoneMention(platform: .ios, owner: .user)]),
        ("my mum's phone is a samsung", [PhoneMention(platform: .android, owner: .other)]),
        ("the samsung is hers", [PhoneMention(platform: .android, owner: .other)]),
        ("iphone", [PhoneMention(platform: .ios, owner: nil)]),
    ])
    func owners(text: String, expected: [PhoneMention]) throws {
        #expect(try Self.read(text).phones == expected)
    }

    @Test("the word for the other person is remembered and used in questions")
    func person() throws {
        #expect(try Self.read("calls to my brother never ring").person == "brother")
        var grandma = try Conversation()
        _ = grandma.say("my whatsapp calls to my grandma never ring")
        #expect(grandma.state.otherPerson == "grandma", "typo correction must not turn one person into another")
        var chat = try Conversation()
        let reply = chat.say("calls to my brother ring once and then say unavailable")
        #expect(chat.state.otherPerson == "brother")
        #expect(reply.plainText.contains("Which phone does your brother have"))
        #expect(!reply.plainText.contains("Which phone do you have"), "the fix is done on his phone, not the user's")
    }

    @Test("two phones in one message fill both; each fix shows the steps of the phone that does it")
    func stepsForTheDoer() throws {
        var chat = try Conversation()
        _ = chat.say("my whatsapp calls to my husband stay on calling")
        _ = chat.say("I'm on a Pixel, my husband has an iPhone")
        #expect(chat.state.userPlatform == .android)
        #expect(chat.state.otherPlatform == .ios)
        var reply = chat.say("that didn't work")
        while !chat.state.fixesGiven.contains("stuck_on_calling/force_stop") { reply = chat.say("that didn't work") }
        #expect(reply.plainText.contains("Tap Force stop."), "force stop is done on the caller's Android")
        #expect(!reply.plainText.contains("Swipe up"))
        #expect(reply.platform == .android)
        reply = chat.say("that didn't work")
        #expect(reply.plainText.contains("Background App Refresh"), "background data is done on his iPhone")
        #expect(!reply.plainText.contains("Allow background data usage"))
        #expect(reply.platform == .ios)
    }

    @Test("a brand with no owner fills the phone the current fix is done on")
    func unownedBrand() throws {
        var chat = try Conversation()
        _ = chat.say("my call rings once and then shows unavailable")
        let reply = chat.say("samsung")
        #expect(chat.state.otherPlatform == .android)
        #expect(chat.state.userPlatform == nil)
        #expect(reply.plainText.contains("Switch Do Not Disturb off."))
        var fresh = try Conversation()
        _ = fresh.say("how do i force stop whatsapp")
        _ = fresh.say("samsung")
        #expect(fresh.state.userPlatform == .android, "force stop is done on the user's own phone")
    }

    @Test("a brand named in a new question goes to the phone the topic's steps are done on")
    func brandInQuestion() throws {
        var chat = try Conversation()
        let reply = chat.say("how to turn off dnd on iphone")
        #expect(chat.state.otherPlatform == .ios)
        #expect(chat.state.userPlatform == nil)
        #expect(reply.plainText.contains("half-moon"))
        #expect(!reply.plainText.contains("Which phone"))
        var problem = try Conversation()
        _ = problem.say("whatsapp calling not ringing oneplus")
        #expect(problem.state.userPlatform == .android, "the first fix needs no phone: the brand is the user's")
    }

    @Test("\"do I have to change something on my phone too?\" is answered from done_by")
    func ownSide() throws {
        var chat = try Conversation()
        _ = chat.say("my call rings once and then shows unavailable")
        let no = chat.say("do I have to change something on my phone too?")
        #expect(no.intent == "one_ring_unavailable")
        #expect(no.plainText.hasPrefix("No"))
        var other = try Conversation()
        _ = other.say("how do i force stop whatsapp")
        let yes = other.say("do I have to change something on my phone too?")
        #expect(yes.plainText.hasPrefix("Yes"))
    }

    @Test("a state stored before the two phones existed still decodes")
    func oldStateDecodes() throws {
        let old = #"{"topic":"stuck_on_calling","platform":"ios","fixesGiven":["stuck_on_calling/reconnect"],"pendingChoice":[]}"#
        let state = try JSONDecoder().decode(ConversationState.self, from: Data(old.utf8))
        #expect(state.topic == "stuck_on_calling")
        #expect(state.platform == .ios)
        #expect(state.ruledOut.isEmpty && state.fragments.isEmpty && state.userPlatform == nil)
        let round = try JSONDecoder().decode(ConversationState.self, from: JSONEncoder().encode(state))
        #expect(round == state)
    }
}

@Suite("Dialogue: causes ruled out")
struct RuledOutTests {
    @Test("a ruled-out cause is acknowledged, skipped and counted", arguments: [
        ("his wifi works", "stuck_on_calling/reconnect"),
        ("she never blocked me, I asked", "stuck_on_calling/unblock"),
        ("he uses WhatsApp every day", "stuck_on_calling/new_account"),
        ("background data is already on", "stuck_on_calling/background_data"),
        ("I restarted the app already", "stuck_on_calling/force_stop"),
    ])
    func ruledOut(text: String, fix: String) throws {
        var chat = try Conversation()
        _ = chat.say("my whatsapp calls to my cousin never ring")
        let reply = chat.say(text)
        #expect(reply.intent == "stuck_on_calling")
        #expect(reply.plainText.contains("rules that cause out") || reply.plainText.contains("already"))
        #expect(reply.plainText.contains("more to check"))
        let topic = try #require(chat.assistant.knowledge.intent("stuck_on_calling"))
        let ruled = try #require(topic.fixes.first { "stuck_on_calling/" + $0.id == fix })
        #expect(chat.state.ruledOut.contains(try #require(ruled.topic)))
        // Never offered again in this conversation.
        var texts: [String] = []
        for _ in 0..<6 { texts.append(chat.say("that didn't work").plainText) }
        #expect(!texts.contains { $0.contains("Try this: \(ruled.title).") }, "the ruled-out fix came back")
        #expect(texts.last?.contains(chat.assistant.knowledge.settings.contact) == true)
    }

    @Test("the count of causes left goes down with each cause ruled out, then none left and a person")
    func counting() throws {
        var chat = try Conversation()
        #expect(chat.say("my whatsapp calls stay on calling").plainText.contains("4 more"))
        #expect(chat.say("her internet is fine").plainText.contains("3 more"))
        #expect(chat.say("she hasn't blocked me").plainText.contains("1 more"))
        #expect(chat.say("that didn't work").plainText.contains("last one"))
        let last = chat.say("still not ringing")
        #expect(last.plainText.contains("none left"))
        #expect(last.plainText.contains(chat.assistant.knowledge.settings.contact))
    }
}

@Suite("Dialogue: follow-ups in context")
struct FollowUpTests {
    @Test("elliptical follow-ups keep the topic", arguments: [
        "how?", "where do I find it?", "is there a way to check?", "and once that's done?", "pls", "any idea?", "help",
    ])
    func elliptical(text: String) throws {
        var chat = try Conversation()
        _ = chat.say("my call rings once and then shows unavailable")
        let reply = chat.say(text)
        #expect(reply.intent == "one_ring_unavailable")
        #expect(!reply.plainText.contains("I can help with:"))
    }

    @Test("\"same for Android?\" gives the Android steps of the same fix")
    func sameForAndroid() throws {
        var chat = try Conversation()
        _ = chat.say("how can my wife switch off do not disturb")
        _ = chat.say("she's on iphone")
        let reply = chat.say("same for Android?")
        #expect(reply.intent == "do_not_disturb")
        #expect(reply.plainText.contains("Tap Notifications."))
        #expect(!reply.plainText.contains("Control Center"))
    }

    @Test("\"and the other one?\" answers the other topic offered")
    func otherOne() throws {
        var chat = try Conversation()
        _ = chat.say("is it do not disturb or background data")
        let first = chat.say("1")
        let other = chat.say("and the other one?")
        #expect(Set([first.intent, other.intent]) == ["do_not_disturb", "background_data"])
    }

    @Test("a message that clearly names a new topic switches")
    func switches() throws {
        var chat = try Conversation()
        _ = chat.say("my whatsapp calls stay on calling")
        #expect(chat.say("how do i turn off do not disturb").intent == "do_not_disturb")
        #expect(chat.say("how do i back up my whatsapp chats to google drive").intent == "out_of_scope")
    }

    @Test("fragments get a short prompt, never the topic list, and are read together")
    func fragments() throws {
        var chat = try Conversation()
        _ = chat.say("hi")
        for fragment in ["my whatsapp", "calls"] {
            let reply = chat.say(fragment)
            #expect(!reply.plainText.contains("I can help with:"))
            #expect(reply.plainText.count < 200)
        }
        #expect(chat.state.fragments == ["my whatsapp", "calls"])
        let reply = chat.say("just say calling")
        #expect(reply.intent == "stuck_on_calling")
        #expect(chat.state.fragments.isEmpty)
        var announce = try Conversation()
        #expect(!announce.say("i have a problem").plainText.contains("I can help with:"))
        var pieces = try Conversation()
        _ = pieces.say("it rings 1 time")
        let more = pieces.say("then unavailable")
        #expect(more.intent == "one_ring_unavailable")
        #expect(pieces.state.fixesGiven.count == 1, "a description finished in pieces does not skip to the next fix")
        var joined = try Conversation()
        _ = joined.say("whatsapp")
        _ = joined.say("when i call my mum")
        #expect(joined.say("it rings once").intent == "one_ring_unavailable")
    }
}

@Suite("Dialogue: closing")
struct ClosingTests {
    @Test("\"how do I fix it?\" is a question, not \"fixed it\"", arguments: ["how do i fix it on my phone?", "will that fix it?"])
    func fixQuestion(text: String) throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        let reply = chat.say(text)
        #expect(reply.intent == "stuck_on_calling")
        #expect(chat.state.topic == "stuck_on_calling")
    }

    @Test("\"thanks\" after \"that didn't work\" does not say it works")
    func thanksAfterFailure() throws {
        var chat = try Conversation()
        _ = chat.say(stuckQuestion)
        _ = chat.say("that didn't work")
        let reply = chat.say("thanks")
        #expect(reply.intent == "thanks")
        #expect(!reply.plainText.lowercased().contains("glad"))
        #expect(reply.plainText.contains("next thing to try"))
    }
}

@Suite("Replies people read")
struct ReplyShapeTests {
    @Test("every first answer to a topic fits a phone screen and has no nested quotes")
    func firstAnswers() throws {
        let assistant = try RealKnowledge.assistant()
        for topic in assistant.knowledge.intents where topic.role == .topic {
            let example = try #require(topic.examples.first)
            var state = ConversationState()
            let reply = assistant.respond(to: example.text, state: &state, now: t0)
            #expect(reply.plainText.count < 600, "\(topic.id): \(reply.plainText.count) characters")
            #expect(!reply.plainText.contains("\"\""), "\(topic.id)")
            for title in assistant.knowledge.intents.map(\.title) where title.contains("\"") {
                #expect(!reply.plainText.contains("\"" + title + "\""), "\(topic.id): a quoted title inside quotes")
            }
        }
    }

    @Test("help and fallback list the same topics once, in a meaningful order")
    func topicLists() throws {
        var chat = try Conversation()
        let help = chat.say("what can you do").plainText
        let fallback = chat.say("how do i back up my whatsapp chats to google drive").plainText
        let list = { (text: String) in text.components(separatedBy: "I can help with:").last ?? "" }
        #expect(list(help) == list(fallback))
        #expect(help.components(separatedBy: "I can help with:").count == 2, "said once")
        let titles = list(help).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let knowledge = chat.assistant.knowledge
        let ids = titles.compactMap { title in knowledge.intents.first { "- " + $0.title == title }?.id }
        #expect(ids.first == "calling_vs_ringing")
        let stuck = try #require(ids.firstIndex(of: "stuck_on_calling"))
        let causes = try #require(knowledge.intent("stuck_on_calling")).causes.compactMap(\.topic)
        #expect(Array(ids[(stuck + 1)...].prefix(causes.count)) == causes, "each problem is followed by its causes")
    }

    @Test("the bot has one name")
    func oneName() throws {
        var chat = try Conversation()
        let name = chat.assistant.knowledge.settings.botName
        #expect(chat.say("hello").plainText.contains(name))
        #expect(chat.say("what can you do").plainText.contains(name))
        #expect(chat.assistant.knowledge.intents.allSatisfy { !$0.title.contains("Ring Bot") && !$0.summary.contains("Ring Bot") })
    }
}

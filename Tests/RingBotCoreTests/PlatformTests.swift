import Testing
import RingBotCore

@Suite("Platform detection")
struct PlatformTests {
    @Test("brands and systems name the platform", arguments: [
        ("my whatsapp calls dont ring on my Samsung", Platform.android),
        ("Galaxy S23 whatsapp stuck on calling", .android),
        ("i have a Pixel 7", .android),
        ("Redmi note 12, calls never ring", .android),
        ("OnePlus nord here", .android),
        ("xiaomi phone", .android),
        ("android 14", .android),
        ("iPhone 13 whatsapp call only says calling", .ios),
        ("I'm on iOS 17", .ios),
        ("it's an apple phone", .ios),
        ("IPHONE", .ios),
    ])
    func detects(text: String, platform: Platform) throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze(text).platform == platform)
        #expect(assistant.classify(text).platform == platform)
    }

    @Test("no platform word gives nil", arguments: [
        "my whatsapp call keeps saying calling", "", "hello", "calls stuck on calling since yesterday",
    ])
    func none(text: String) throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze(text).platform == nil)
        #expect(assistant.classify(text).platform == nil)
    }

    @Test("the first platform named wins")
    func firstWins() throws {
        let assistant = try RealKnowledge.assistant()
        #expect(assistant.analyze("my samsung cant call her iphone").platform == .android)
        #expect(assistant.analyze("my iphone cant call his samsung").platform == .ios)
    }

    @Test("platform words are left out of the matching terms")
    func platformWordsNotTerms() throws {
        let assistant = try RealKnowledge.assistant()
        let terms = assistant.analyze("whatsapp on my samsung galaxy").terms
        #expect(!terms.contains("samsung"))
        #expect(!terms.contains("galaxy"))
        #expect(terms.contains("#whatsapp"))
    }

    @Test("steps for a platform are the common steps then that platform's")
    func platformSteps() {
        let steps = PlatformSteps(common: ["Open Settings."], android: ["Tap Apps."], ios: ["Tap General."])
        #expect(steps.steps(for: .android) == ["Open Settings.", "Tap Apps."])
        #expect(steps.steps(for: .ios) == ["Open Settings.", "Tap General."])
        #expect(steps.isPlatformSpecific)
        #expect(!PlatformSteps(common: ["x"]).isPlatformSpecific)
        #expect(PlatformSteps().isEmpty)
        #expect(Platform.android.displayName == "Android")
        #expect(Platform.ios.displayName == "iPhone")
    }
}

/// What an intent is for, which decides how the dialogue treats it.
public enum IntentRole: String, Sendable, Hashable, CaseIterable {
    /// A support topic with an answer; becomes the conversation's current topic.
    case topic
    case greeting
    case thanks
    case goodbye
    case help
    case handoff
    /// What the bot says when a message is outside what it knows (`out_of_scope`).
    case fallback
}

/// A phrase that points strongly to an intent, with a weight from 1 (a hint) to 5 (decisive).
public struct KeyPhrase: Sendable, Hashable {
    public var text: String
    public var weight: Double
    public var location: SourceLocation

    public init(text: String, weight: Double = 2, location: SourceLocation) {
        self.text = text
        self.weight = weight
        self.location = location
    }
}

/// An example utterance and where it was written.
public struct Example: Sendable, Hashable {
    public var text: String
    public var location: SourceLocation

    public init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }
}

/// One cause of a problem, optionally linked to the topic that covers it.
public struct Cause: Sendable, Hashable {
    public var text: String
    public var topic: String?
    public var location: SourceLocation

    public init(text: String, topic: String? = nil, location: SourceLocation) {
        self.text = text
        self.topic = topic
        self.location = location
    }
}

/// One fix, in the order the bot offers them.
public struct Fix: Sendable, Hashable {
    public var id: String
    public var title: String
    public var text: String
    public var topic: String?
    public var steps: PlatformSteps
    /// Who carries the fix out, on their own phone (`done_by:`); `nil` when not written.
    public var doneBy: PhoneOwner?
    public var location: SourceLocation

    public init(id: String, title: String, text: String, topic: String? = nil,
                steps: PlatformSteps = PlatformSteps(), doneBy: PhoneOwner? = nil, location: SourceLocation) {
        self.id = id
        self.title = title
        self.text = text
        self.topic = topic
        self.steps = steps
        self.doneBy = doneBy
        self.location = location
    }
}

/// One intent: a topic the bot recognises, and its structured answer.
public struct Intent: Sendable, Hashable, Identifiable {
    public var id: String
    public var title: String
    public var role: IntentRole
    /// The pack this intent belongs to, or `nil` for conversation intents shared by all packs.
    public var pack: String?
    public var summary: String
    public var explanation: String?
    public var causes: [Cause]
    public var fixes: [Fix]
    public var steps: PlatformSteps
    /// Who carries out the topic's own ``steps`` (`done_by:`); `nil` when not written.
    public var doneBy: PhoneOwner?
    public var examples: [Example]
    public var phrases: [KeyPhrase]
    public var related: [String]
    /// What users say to rule this topic out as the cause (`he uses whatsapp every day`),
    /// matched like cue phrases (`ruled_out_by:`).
    public var ruledOutBy: [String] = []
    /// Where each entry of ``related`` was written (same order), for error messages.
    public var relatedLocations: [SourceLocation] = []
    public var location: SourceLocation

    public init(id: String, title: String, role: IntentRole = .topic, pack: String? = nil,
                summary: String, explanation: String? = nil, causes: [Cause] = [], fixes: [Fix] = [],
                steps: PlatformSteps = PlatformSteps(), doneBy: PhoneOwner? = nil, examples: [Example] = [],
                phrases: [KeyPhrase] = [], related: [String] = [], location: SourceLocation) {
        self.id = id
        self.title = title
        self.role = role
        self.pack = pack
        self.summary = summary
        self.explanation = explanation
        self.causes = causes
        self.fixes = fixes
        self.steps = steps
        self.doneBy = doneBy
        self.examples = examples
        self.phrases = phrases
        self.related = related
        self.location = location
    }

    /// Whether the answer differs by platform (its own steps or any fix's steps).
    public var isPlatformSpecific: Bool {
        steps.isPlatformSpecific || fixes.contains { $0.steps.isPlatformSpecific }
    }
}

/// A knowledge pack: one product or problem area.
public struct KnowledgePack: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String
    public var location: SourceLocation

    public init(id: String, title: String, description: String, location: SourceLocation) {
        self.id = id
        self.title = title
        self.description = description
        self.location = location
    }
}

/// A concept: several words or phrases that mean the same thing to the matcher.
public struct Concept: Sendable, Hashable {
    public var name: String
    public var terms: [String]
    public var location: SourceLocation

    public init(name: String, terms: [String], location: SourceLocation) {
        self.name = name
        self.terms = terms
        self.location = location
    }
}

/// Dialogue cue phrases: what users say when a fix did or did not help, and the
/// short follow-ups that only make sense with the conversation as context.
public enum DialogueCue: String, Sendable, Hashable, CaseIterable {
    case notFixed = "not_fixed"
    case fixed
    /// A cause is ruled out ("his wifi works", "she never blocked me").
    case ruledOut = "ruled_out"
    /// A fix was already tried ("I restarted the app already").
    case alreadyTried = "already_tried"
    /// The whole list of causes is asked for.
    case listCauses = "list_causes"
    /// Whether the user must change something on their own phone too.
    case ownSide = "own_side"
    /// How to do the current fix, where to find the setting.
    case askHow = "ask_how"
    /// How to check whether the cause applies.
    case askCheck = "ask_check"
    /// What to do once the fix is done.
    case askAfter = "ask_after"
    /// The other of two things the bot named.
    case askOther = "ask_other"
    /// Why: more detail on the current topic.
    case askWhy = "ask_why"
    /// "Yes", "go on", "next": continue with the next step.
    case goOn = "go_on"
    /// A short plea for help ("pls", "any idea?").
    case plea
    /// "OK", "will try": the user acknowledges a suggestion.
    case acknowledge
}

/// Words and phrases that shape matching: concepts, platform words, stop words, cues.
public struct Lexicon: Sendable, Hashable {
    public var concepts: [Concept]
    public var platformTerms: [Platform: [String]]
    public var stopwords: [String]
    public var cues: [DialogueCue: [String]]
    /// Concept names or words that place a message inside a pack's domain
    /// (e.g. `whatsapp`, `ringing`). A message with none of them is marked, and
    /// the matcher learns from the examples how much that matters for each intent.
    public var anchors: [String]
    /// Texting spellings read as the word they stand for (`u` → `you`, `ur` → `your`),
    /// before anything else; unlike typos, these are too short to correct by distance.
    public var respellings: [String: String]
    /// Words that tell whose phone a brand or OS belongs to: the user's (`my`, `mine`, `I`)
    /// or the other person's (`his`, `she`, `they`).
    public var ownerWords: [PhoneOwner: [String]]
    /// Words naming the other person (`brother`, `mum`, `boss`); they also mark the other person's phone.
    public var people: [String]

    public init(concepts: [Concept] = [], platformTerms: [Platform: [String]] = [:],
                stopwords: [String] = [], cues: [DialogueCue: [String]] = [:], anchors: [String] = [],
                respellings: [String: String] = [:], ownerWords: [PhoneOwner: [String]] = [:], people: [String] = []) {
        self.ownerWords = ownerWords
        self.people = people
        self.anchors = anchors
        self.respellings = respellings
        self.concepts = concepts
        self.platformTerms = platformTerms
        self.stopwords = stopwords
        self.cues = cues
    }

    /// Merges another lexicon into this one.
    public mutating func merge(_ other: Lexicon) {
        concepts += other.concepts
        for (platform, terms) in other.platformTerms { platformTerms[platform, default: []] += terms }
        stopwords += other.stopwords
        for (cue, phrases) in other.cues { cues[cue, default: []] += phrases }
        anchors += other.anchors
        respellings.merge(other.respellings) { first, _ in first }
        for (owner, words) in other.ownerWords { ownerWords[owner, default: []] += words }
        people += other.people
    }
}

/// Bot-wide settings from the knowledge.
public struct KnowledgeSettings: Sendable, Hashable {
    public var botName: String
    /// How to reach a human, shown for `handoff`.
    public var contact: String
    /// Below this confidence the bot does not guess.
    public var answerThreshold: Double
    /// When the two best topics are closer than this, the bot asks which one is meant.
    public var clarifyMargin: Double
    /// The question inviting more detail, for a message that is not a question on its own
    /// ("my whatsapp") or a complaint with no topic yet ("it doesn't work").
    public var askMore: String = "Tell me a bit more about what happens."

    public init(botName: String = "RingBot", contact: String = "", answerThreshold: Double = 0.45,
                clarifyMargin: Double = 0.12) {
        self.botName = botName
        self.contact = contact
        self.answerThreshold = answerThreshold
        self.clarifyMargin = clarifyMargin
    }
}

/// Everything the bot knows: settings, packs, lexicon and intents.
public struct KnowledgeBase: Sendable {
    public var settings: KnowledgeSettings
    public var packs: [KnowledgePack]
    public var lexicon: Lexicon
    public var intents: [Intent]

    public init(settings: KnowledgeSettings, packs: [KnowledgePack], lexicon: Lexicon, intents: [Intent]) {
        self.settings = settings
        self.packs = packs
        self.lexicon = lexicon
        self.intents = intents
    }

    /// The intent with this id, if any.
    public func intent(_ id: String) -> Intent? { intents.first { $0.id == id } }

    /// The first intent with this role, if any.
    public func intent(role: IntentRole) -> Intent? { intents.first { $0.role == role } }
}

/// The two phones of a conversation as the composer needs them: which platform each is,
/// and how to name their owners in a reply ("your phone", "your brother's phone").
struct PhoneContext: Sendable, Equatable {
    var user: Platform?
    var other: Platform?
    /// The word the user calls the other person by (`brother`), if said.
    var person: String?

    init(user: Platform? = nil, other: Platform? = nil, person: String? = nil) {
        self.user = user
        self.other = other
        self.person = person
    }

    init(_ state: ConversationState) {
        self.init(user: state.userPlatform, other: state.otherPlatform, person: state.otherPerson)
    }

    func platform(of owner: PhoneOwner) -> Platform? {
        owner == .user ? user : other
    }

    /// "you" or "your brother" / "the other person".
    func who(_ owner: PhoneOwner) -> String {
        owner == .user ? "you" : person.map { "your \($0)" } ?? "the other person"
    }

    /// "your" or "your brother's" / "their".
    func possessive(_ owner: PhoneOwner) -> String {
        owner == .user ? "your" : person.map { "your \($0)'s" } ?? "their"
    }

    /// "On your iPhone:" / "On your brother's Android phone:".
    func stepsHeading(_ owner: PhoneOwner, _ platform: Platform) -> String {
        "On \(possessive(owner)) \(platform == .ios ? "iPhone" : "Android phone"):"
    }

    /// The question for a phone not known yet.
    func question(_ owner: PhoneOwner) -> String {
        owner == .user
            ? "Which phone do you have, Android or iPhone? Tell me and I'll show only your steps."
            : "Which phone does \(who(.other)) have, Android or iPhone? This is done on \(possessive(.other)) phone, so I'll show the steps for it."
    }
}

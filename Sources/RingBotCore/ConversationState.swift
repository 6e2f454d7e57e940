import Foundation

/// What the bot remembers about one conversation (one user in one room, or one REPL session).
/// Codable so adapters can persist it; the core never stores it itself. Every field added
/// after the first release decodes as empty when missing, so stored states stay readable.
public struct ConversationState: Sendable, Codable, Equatable {
    /// The topic (intent id) under discussion.
    public var topic: String?
    /// The platform named last, for either phone.
    public var platform: Platform?
    /// The fixes already given, in order, qualified by their topic (`stuck_on_calling/unblock`).
    public var fixesGiven: [String]
    /// When the bot asked "which of these do you mean?", the candidates it named.
    public var pendingChoice: [String]
    /// When the conversation last saw a message; used for idle expiry.
    public var lastActivity: Date?
    /// The user's own phone, once known.
    public var userPlatform: Platform?
    /// The other person's phone, once known.
    public var otherPlatform: Platform?
    /// How the user calls the other person (`brother`, `mum`), once said.
    public var otherPerson: String?
    /// Cause topics the user ruled out or whose fix they already tried (`recipient_network`).
    public var ruledOut: [String]
    /// Earlier turns that were not a question on their own, read together with the next one.
    public var fragments: [String]
    /// The two topics the bot last offered as a choice, for "and the other one?".
    public var offered: [String]
    /// The platform whose steps the last reply showed, for "and the other one?".
    public var lastStepsPlatform: Platform?

    public init(topic: String? = nil, platform: Platform? = nil, fixesGiven: [String] = [],
                pendingChoice: [String] = [], lastActivity: Date? = nil, userPlatform: Platform? = nil,
                otherPlatform: Platform? = nil, otherPerson: String? = nil, ruledOut: [String] = [],
                fragments: [String] = [], offered: [String] = [], lastStepsPlatform: Platform? = nil) {
        self.topic = topic
        self.platform = platform
        self.fixesGiven = fixesGiven
        self.pendingChoice = pendingChoice
        self.lastActivity = lastActivity
        self.userPlatform = userPlatform
        self.otherPlatform = otherPlatform
        self.otherPerson = otherPerson
        self.ruledOut = ruledOut
        self.fragments = fragments
        self.offered = offered
        self.lastStepsPlatform = lastStepsPlatform
    }

    /// Conversations idle this long start afresh.
    public static let idleExpiry: TimeInterval = 30 * 60

    /// The phone of `owner`, once known.
    public func platform(of owner: PhoneOwner) -> Platform? {
        owner == .user ? userPlatform : otherPlatform
    }

    mutating func setPlatform(_ platform: Platform, of owner: PhoneOwner) {
        switch owner {
        case .user: userPlatform = platform
        case .other: otherPlatform = platform
        }
    }

    private enum CodingKeys: String, CodingKey {
        case topic, platform, fixesGiven, pendingChoice, lastActivity, userPlatform, otherPlatform, otherPerson,
             ruledOut, fragments, offered, lastStepsPlatform
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            topic: try container.decodeIfPresent(String.self, forKey: .topic),
            platform: try container.decodeIfPresent(Platform.self, forKey: .platform),
            fixesGiven: try container.decodeIfPresent([String].self, forKey: .fixesGiven) ?? [],
            pendingChoice: try container.decodeIfPresent([String].self, forKey: .pendingChoice) ?? [],
            lastActivity: try container.decodeIfPresent(Date.self, forKey: .lastActivity),
            userPlatform: try container.decodeIfPresent(Platform.self, forKey: .userPlatform),
            otherPlatform: try container.decodeIfPresent(Platform.self, forKey: .otherPlatform),
            otherPerson: try container.decodeIfPresent(String.self, forKey: .otherPerson),
            ruledOut: try container.decodeIfPresent([String].self, forKey: .ruledOut) ?? [],
            fragments: try container.decodeIfPresent([String].self, forKey: .fragments) ?? [],
            offered: try container.decodeIfPresent([String].self, forKey: .offered) ?? [],
            lastStepsPlatform: try container.decodeIfPresent(Platform.self, forKey: .lastStepsPlatform))
    }
}

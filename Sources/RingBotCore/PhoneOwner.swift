/// The two phones of a conversation: the user's own, and the other person's
/// (the one they call, or who calls them).
public enum PhoneOwner: String, Sendable, Hashable, Codable, CaseIterable {
    /// The user, who is usually the caller.
    case user
    /// The other person: the one being called.
    case other

    /// How `done_by:` names the party in the knowledge: `caller` or `other_person`.
    public var knowledgeName: String {
        switch self {
        case .user: "caller"
        case .other: "other_person"
        }
    }

    /// The party named by a `done_by:` value, or `nil` for an unknown value.
    public init?(knowledgeName: String) {
        guard let owner = Self.allCases.first(where: { $0.knowledgeName == knowledgeName }) else { return nil }
        self = owner
    }
}

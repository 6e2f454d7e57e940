/// Which features the intent matcher reads.
public enum MatcherKind: String, Sendable, CaseIterable, Codable {
    /// The sentence encoder's embedding and the lexical terms, in one classifier (the default).
    case hybrid
    /// The lexical terms only (stems, concepts, typo correction): needs no model files.
    case lexical
}

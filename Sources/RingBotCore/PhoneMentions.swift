/// One phone named in a message: its platform, and whose it is when the words say so.
struct PhoneMention: Sendable, Equatable {
    var platform: Platform
    /// `nil` when no owner word is near ("iphone 13", "what about android?").
    var owner: PhoneOwner?
}

/// What a message says about the two phones and the other person.
struct PhoneMentions: Sendable, Equatable {
    var phones: [PhoneMention] = []
    /// The word the user calls the other person by (`brother`, `mum`), if any.
    var person: String?
    /// Whether the message has an owner word pointing at the user (`my`, `I`).
    var mentionsUser = false
}

/// Reads whose phone a brand or OS belongs to, from the lexicon's platform words,
/// owner words (`my`/`mine`/`I` vs `he`/`her`/`their`) and people words (`brother`, `boss`).
/// Each platform word takes the owner named nearest before it in the same clause
/// ("I'm on a Pixel, my husband has an iPhone"), else just after it ("the samsung is hers").
struct PhoneMentionReader: Sendable {
    private let platformTerms: [(words: [String], platform: Platform)]
    private let userWords: Set<String>
    private let otherWords: Set<String>
    private let people: Set<String>
    /// How far from a platform word an owner word may stand.
    static let reach = 6

    init(lexicon: Lexicon) {
        platformTerms = lexicon.platformTerms.flatMap { platform, terms in
            terms.map { (TextNormalizer.tokens($0), platform) }
        }.filter { !$0.words.isEmpty }.sorted { $0.words.count > $1.words.count }
        userWords = Set((lexicon.ownerWords[.user] ?? []).flatMap(TextNormalizer.tokens))
        otherWords = Set((lexicon.ownerWords[.other] ?? []).flatMap(TextNormalizer.tokens))
        people = Set(lexicon.people.flatMap(TextNormalizer.tokens))
    }

    /// `words` are the analyser's normalised words of one message; `raw` the message's words before
    /// typo correction, which must not turn a person ("grandma") into another ("grandpa").
    func read(_ words: [String], raw: [String] = []) -> PhoneMentions {
        let words = raw.count == words.count
            ? zip(words, raw).map { corrected, original in personWord(original) != nil ? original : corrected }
            : words
        var result = PhoneMentions()
        var spans: [(start: Int, end: Int, platform: Platform)] = []
        var index = 0
        while index < words.count {
            if let match = platformMatch(words, at: index) {
                spans.append((index, index + match.length, match.platform))
                index += match.length
            } else {
                index += 1
            }
        }
        for (n, span) in spans.enumerated() {
            let lower = n > 0 ? spans[n - 1].end : 0
            let upper = n + 1 < spans.count ? spans[n + 1].start : words.count
            var owner: PhoneOwner?
            var k = span.start - 1
            while owner == nil, k >= max(lower, span.start - Self.reach) {
                owner = self.owner(of: words[k])
                k -= 1
            }
            k = span.end
            while owner == nil, k < min(upper, span.end + 3) {
                owner = self.owner(of: words[k])
                k += 1
            }
            result.phones.append(PhoneMention(platform: span.platform, owner: owner))
        }
        result.person = words.lazy.compactMap(personWord).first
        result.mentionsUser = words.contains { owner(of: $0) == .user }
        return result
    }

    /// The owner a single word points at; people words point at the other person.
    func owner(of word: String) -> PhoneOwner? {
        if userWords.contains(word) { return .user }
        if otherWords.contains(word) || personWord(word) != nil { return .other }
        return nil
    }

    /// A people word, its possessive or plural `s` dropped (`mums` → `mum`).
    func personWord(_ word: String) -> String? {
        if people.contains(word) { return word }
        if word.hasSuffix("s"), people.contains(String(word.dropLast())) { return String(word.dropLast()) }
        return nil
    }

    private func platformMatch(_ words: [String], at index: Int) -> (platform: Platform, length: Int)? {
        for term in platformTerms where index + term.words.count <= words.count {
            var equal = true
            for (k, word) in term.words.enumerated() {
                let candidate = words[index + k]
                // A plural counts too: "both have iphones".
                if candidate != word && candidate != word + "s" { equal = false; break }
            }
            if equal { return (term.platform, term.words.count) }
        }
        return nil
    }
}

/// Whose phone a brand or OS named in a message belongs to.
extension Dialogue {
    /// Notes the phones a message names: each on its owner's phone, or, with no owner word,
    /// on the phone the current fix needs (the user's when nothing is under discussion).
    func notePhones(_ turn: Turn, current: Intent?, state: inout ConversationState)
        -> (named: [(owner: PhoneOwner, platform: Platform)], unowned: [(owner: PhoneOwner, platform: Platform, previous: Platform?)]) {
        if let person = turn.mentions.person { state.otherPerson = person }
        var mentions = turn.mentions.phones
        if mentions.isEmpty, let platform = turn.analysis.platform { mentions = [PhoneMention(platform: platform, owner: nil)] }
        let needed = current.map { neededPhone($0, state: state) } ?? .user
        var named: [(owner: PhoneOwner, platform: Platform)] = []
        var unowned: [(owner: PhoneOwner, platform: Platform, previous: Platform?)] = []
        for mention in mentions {
            let owner = mention.owner ?? needed
            // "a Samsung Galaxy" names one phone twice.
            if named.contains(where: { $0.owner == owner && $0.platform == mention.platform }) { continue }
            if mention.owner == nil { unowned.append((owner, mention.platform, state.platform(of: owner))) }
            state.setPlatform(mention.platform, of: owner)
            state.platform = mention.platform
            named.append((owner, mention.platform))
        }
        return (named, unowned)
    }

    /// Whose phone the current fix (or the topic's own steps) is done on.
    func neededPhone(_ current: Intent, state: ConversationState) -> PhoneOwner {
        if let (intent, fix) = currentFix(state) { return composer.doer(of: fix, in: intent) }
        return composer.doer(of: nil, in: current)
    }
}

extension KnowledgeValidator {
    /// Steps that differ by phone need `done_by:`, or the bot cannot tell whose phone to show them for.
    static func missingDoers(_ intent: Intent) -> [KnowledgeProblem] {
        let choices = PhoneOwner.allCases.map { "`done_by: \($0.knowledgeName)`" }.joined(separator: " or ")
        var problems: [KnowledgeProblem] = []
        for fix in intent.fixes where fix.steps.isPlatformSpecific && fix.doneBy == nil {
            problems.append(KnowledgeProblem(fix.location,
                "fix `\(fix.id)` of `\(intent.id)` has Android and iPhone steps but does not say who does it; add \(choices)"))
        }
        if intent.steps.isPlatformSpecific && intent.doneBy == nil {
            problems.append(KnowledgeProblem(intent.location,
                "`\(intent.id)` has Android and iPhone steps but does not say who does them; add \(choices)"))
        }
        return problems
    }
}

/// Which invites the bot accepts: everyone's when both lists are empty, else only
/// those from a listed user or from a user on a listed server.
public struct InvitePolicy: Sendable, Equatable {
    public var allowedUsers: Set<String>
    public var allowedServers: Set<String>

    public init(allowedUsers: Set<String> = [], allowedServers: Set<String> = []) {
        self.allowedUsers = allowedUsers
        self.allowedServers = allowedServers
    }

    public var acceptsEveryone: Bool { allowedUsers.isEmpty && allowedServers.isEmpty }

    /// Whether an invite from `inviter` (`nil`: unknown) is accepted.
    public func accepts(inviter: String?) -> Bool {
        if acceptsEveryone { return true }
        guard let inviter else { return false }
        if allowedUsers.contains(inviter) { return true }
        guard let colon = inviter.firstIndex(of: ":") else { return false }
        return allowedServers.contains(String(inviter[inviter.index(after: colon)...]))
    }
}

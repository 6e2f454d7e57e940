/// What the Matrix bot needs to run, already validated (see ``MatrixSettings``).
public struct MatrixBotConfiguration: Sendable, Equatable {
    /// The homeserver's base URL, without a trailing slash.
    public var homeserver: String
    /// The bot's user id, e.g. `@ringbot:example.org`.
    public var userID: String
    /// Used to log in when no valid token is stored or given. A secret.
    public var password: String?
    /// An access token to use instead of logging in. A secret.
    public var accessToken: String?
    /// Messages starting with this are for the bot in group rooms (empty: none).
    public var commandPrefix: String
    /// Rooms where the bot answers every message it is confident about.
    public var supportRooms: Set<String>
    public var invitePolicy: InvitePolicy
    /// The `/sync` long-poll wait in milliseconds.
    public var syncTimeout: Int
    /// The filter's timeline limit per room and sync.
    public var timelineLimit: Int

    public init(homeserver: String, userID: String, password: String? = nil, accessToken: String? = nil,
                commandPrefix: String = "!ringbot", supportRooms: Set<String> = [],
                invitePolicy: InvitePolicy = InvitePolicy(), syncTimeout: Int = 30_000, timelineLimit: Int = 100) {
        self.homeserver = homeserver
        self.userID = userID
        self.password = password
        self.accessToken = accessToken
        self.commandPrefix = commandPrefix
        self.supportRooms = supportRooms
        self.invitePolicy = invitePolicy
        self.syncTimeout = syncTimeout
        self.timelineLimit = timelineLimit
    }
}

extension MatrixBotConfiguration: CustomStringConvertible {
    /// Never includes the password or the token.
    public var description: String {
        "\(userID) on \(homeserver) (password: \(password == nil ? "no" : "yes"), token: \(accessToken == nil ? "no" : "yes"))"
    }
}

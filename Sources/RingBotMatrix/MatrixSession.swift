/// A logged-in Matrix session. The access token is a secret: it is stored in the
/// state database and sent in the `Authorization` header, never logged or printed.
public struct MatrixSession: Sendable, Equatable {
    public var userID: String
    public var deviceID: String?
    public var accessToken: String
    /// The homeserver the token belongs to; a stored session for another server is not reused.
    public var homeserver: String

    public init(userID: String, deviceID: String?, accessToken: String, homeserver: String) {
        self.userID = userID
        self.deviceID = deviceID
        self.accessToken = accessToken
        self.homeserver = homeserver
    }
}

extension MatrixSession: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never includes the token.
    public var description: String { "session of \(userID) on device \(deviceID ?? "?")" }
    public var debugDescription: String { description }
}

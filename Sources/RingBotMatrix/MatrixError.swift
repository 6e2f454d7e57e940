/// An error answer from the homeserver (`{"errcode": ..., "error": ...}`) or a
/// response the client could not use.
public struct MatrixError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// The Matrix error code, e.g. `M_FORBIDDEN`, or `nil` when the body had none.
    public var errcode: String?
    /// The server's explanation (never contains our credentials).
    public var message: String
    /// What the request was for, e.g. "login" or "send a reply".
    public var purpose: String

    public init(status: Int, errcode: String?, message: String, purpose: String) {
        self.status = status
        self.errcode = errcode
        self.message = message
        self.purpose = purpose
    }

    /// The access token is no longer valid (logged out, deleted device, expired).
    public var isUnknownToken: Bool { errcode == "M_UNKNOWN_TOKEN" }

    public var description: String {
        "\(purpose) failed: HTTP \(status)\(errcode.map { " \($0)" } ?? "")\(message.isEmpty ? "" : ": \(message)")"
    }
}

/// A problem that stops the Matrix bot, with a message that tells the operator what to do.
public struct MatrixBotError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    static let tokenRejectedNoPassword = MatrixBotError(
        "the homeserver rejected the access token (M_UNKNOWN_TOKEN) and no password is set; set RINGBOT_MATRIX_TOKEN to a valid token or RINGBOT_MATRIX_PASSWORD so the bot can log in again")

    static let noCredentials = MatrixBotError(
        "no credentials: set RINGBOT_MATRIX_PASSWORD (to log in) or RINGBOT_MATRIX_TOKEN (an access token)")

    static func loginRefused(_ error: MatrixError) -> MatrixBotError {
        MatrixBotError("the homeserver refused the login (\(error.errcode ?? "HTTP \(error.status)")\(error.message.isEmpty ? "" : ": \(error.message)")); check RINGBOT_MATRIX_USER and RINGBOT_MATRIX_PASSWORD")
    }

    static func wrongUser(expected: String, actual: String) -> MatrixBotError {
        MatrixBotError("the access token belongs to \(actual), not to \(expected); fix RINGBOT_MATRIX_USER or RINGBOT_MATRIX_TOKEN")
    }
}

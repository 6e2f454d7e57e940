import RingBotRuntime

/// The Matrix problems that stop the bot, each one line telling the operator what to do.
enum MatrixProblem {
    static let tokenRejectedNoPassword = ChatPlatformError.permanent(
        "the homeserver rejected the access token (M_UNKNOWN_TOKEN) and no password is set; set RINGBOT_MATRIX_TOKEN to a valid token or RINGBOT_MATRIX_PASSWORD so the bot can log in again")

    static let noCredentials = ChatPlatformError.permanent(
        "no credentials: set RINGBOT_MATRIX_PASSWORD (to log in) or RINGBOT_MATRIX_TOKEN (an access token)")

    static func loginRefused(_ error: MatrixError) -> ChatPlatformError {
        .permanent("the homeserver refused the login (\(error.errcode ?? "HTTP \(error.status)")\(error.message.isEmpty ? "" : ": \(error.message)")); check RINGBOT_MATRIX_USER and RINGBOT_MATRIX_PASSWORD")
    }

    static func wrongUser(expected: String, actual: String) -> ChatPlatformError {
        .permanent("the access token belongs to \(actual), not to \(expected); fix RINGBOT_MATRIX_USER or RINGBOT_MATRIX_TOKEN")
    }

    static func notAMatrixServer(_ baseURL: String, status: Int) -> ChatPlatformError {
        .permanent("\(baseURL) does not serve the Matrix client API (HTTP \(status) for /_matrix/client/versions); set RINGBOT_MATRIX_HOMESERVER to the homeserver's base URL without a path, e.g. https://matrix.example.org")
    }

    static func unsupported(_ baseURL: String, versions: [String]) -> ChatPlatformError {
        .permanent("the homeserver at \(baseURL) supports only Matrix \(versions.isEmpty ? "versions it does not name" : versions.joined(separator: ", ")); RingBot needs v1.1 or later (the /v3 API); upgrade the homeserver")
    }

    static func syncRefused(_ error: MatrixError) -> ChatPlatformError {
        .permanent("the homeserver keeps refusing to sync (\(error)); check the homeserver, or remove the state folder to start afresh")
    }
}

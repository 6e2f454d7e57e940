import Foundation
import Logging
import RingBotRuntime

/// The session: the server check, the login (given token, stored session or password),
/// re-login when the token is rejected, and the sync filter.
extension MatrixPlatform {
    /// `GET /_matrix/client/versions`: a 404 means the URL is not a homeserver's base URL
    /// (e.g. it has a path); a server without v1.1+ cannot serve the `/v3` API the bot uses.
    func checkServer() async throws {
        let answer: JSONValue
        do {
            answer = try await client.versions()
        } catch let error as MatrixError {
            throw MatrixProblem.notAMatrixServer(client.http.baseURL, status: error.status)
        }
        let versions = answer["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let modern = versions.contains { version in
            guard version.hasPrefix("v"), let major = Int(version.dropFirst().split(separator: ".").first ?? "") else { return false }
            return major >= 1 && version != "v1.0"
        }
        if !modern { throw MatrixProblem.unsupported(client.http.baseURL, versions: versions) }
    }

    func authenticate() async throws {
        if let token = configuration.accessToken {
            client.setAccessToken(token)
            do {
                try await adoptSession(saving: nil)
                return
            } catch let error as MatrixError where error.isUnknownToken {
                guard configuration.password != nil else { throw MatrixProblem.tokenRejectedNoPassword }
                logger.warning("the given access token was rejected; logging in with the password")
            }
        }
        if let stored = try store.session(), stored.homeserver == client.http.baseURL,
           stored.userID == configuration.userID {
            client.setAccessToken(stored.accessToken)
            do {
                try await adoptSession(saving: nil)
                logger.info("reusing the stored session", metadata: ["device": "\(stored.deviceID ?? "?")"])
                return
            } catch let error as MatrixError where error.isUnknownToken {
                logger.warning("the stored access token was rejected; logging in again")
                try store.clearSession()
                deviceID = stored.deviceID
            }
        }
        try await logIn()
    }

    func adoptSession(saving session: MatrixSession?) async throws {
        let identity = try await client.whoami()
        guard identity.userID == configuration.userID else {
            throw MatrixProblem.wrongUser(expected: configuration.userID, actual: identity.userID)
        }
        userID = identity.userID
        deviceID = identity.deviceID
        if let session { try store.saveSession(session) }
    }

    func logIn() async throws {
        guard let password = configuration.password else {
            throw configuration.accessToken == nil ? MatrixProblem.noCredentials : MatrixProblem.tokenRejectedNoPassword
        }
        let session: MatrixSession
        do {
            session = try await client.login(user: configuration.userID, password: password, deviceID: deviceID)
        } catch let error as MatrixError {
            throw MatrixProblem.loginRefused(error)
        }
        client.setAccessToken(session.accessToken)
        try await adoptSession(saving: session)
        logger.info("logged in", metadata: ["device": "\(session.deviceID ?? "?")"])
    }

    /// Runs `operation`; if the token was rejected, logs in again (when a password is set) and retries once.
    @discardableResult
    func withSession<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as MatrixError where error.isUnknownToken {
            guard configuration.password != nil else { throw MatrixProblem.tokenRejectedNoPassword }
            logger.warning("the access token was rejected; logging in again")
            try store.clearSession()
            try await logIn()
            return try await operation()
        }
    }

    func currentFilterID(forceUpload: Bool = false) async throws -> String {
        let key = "filter:\(userID)#v\(SyncFilter.version)#\(configuration.timelineLimit)"
        if !forceUpload, let stored = try store.store.value(key, for: account) { return stored }
        let definition = SyncFilter.definition(timelineLimit: configuration.timelineLimit)
        let id = try await withSession { try await self.client.uploadFilter(userID: self.userID, filter: definition) }
        try store.store.setValue(id, key, for: account)
        return id
    }
}

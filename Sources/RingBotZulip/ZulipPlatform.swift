import Foundation
import Logging
import RingBotCore
import RingBotHTTP
import RingBotRuntime

/// Zulip as a ``ChatPlatform``: the wire protocol only; the runtime runs the loop.
///
/// - ``connect()`` checks the credentials (`GET /users/me`) and returns the bot's email.
/// - ``poll(from:timeout:)`` follows the event queue (see ``ZulipEventReader``); the cursor
///   is a ``ZulipCursor``.
/// - ``send(_:)`` posts a Markdown reply to the same topic or direct conversation, quoting the
///   question with a link that names it.
/// - Zulip has no idempotency key for sends, so ``checkDelivery(of:)`` reads the conversation
///   back and looks for that link before a reply in flight at a crash is sent again.
public actor ZulipPlatform: ChatPlatform {
    public typealias Target = ZulipReplyTarget

    public nonisolated let platformName = "zulip"
    private let api: ZulipAPI
    private let idleQueueTimeout: Int
    private let logger: Logger
    private var reader: ZulipEventReader?
    private var delivery: ZulipDeliveryCheck?

    /// - Parameters:
    ///   - idleQueueTimeout: seconds the server may keep the event queue while the bot is away.
    public init(api: ZulipAPI, idleQueueTimeout: Int = ZulipSettings.defaultIdleQueueTimeout, logger: Logger) {
        self.api = api
        self.idleQueueTimeout = idleQueueTimeout
        self.logger = logger
    }

    public func connect() async throws -> String {
        let identity = try await mapping("check the bot's account") { try await self.api.ownUser() }
        reader = ZulipEventReader(api: api, interpreter: ZulipInterpreter(identity: identity),
                                  idleQueueTimeout: idleQueueTimeout, logger: logger)
        delivery = ZulipDeliveryCheck(api: api, botUserID: identity.userID)
        logger.info("connected to Zulip", metadata: ["bot": "\(identity.email)", "user_id": "\(identity.userID)"])
        return identity.email
    }

    public func poll(from cursor: String?, timeout: Duration) async throws -> PollResult<ZulipReplyTarget> {
        guard let reader else { throw ChatPlatformError.transient("not connected to Zulip yet") }
        guard let cursor else {
            let start = try await mapping("register an event queue") { try await reader.start() }
            return PollResult(messages: [], nextCursor: start.encoded)
        }
        guard let position = ZulipCursor(encoded: cursor) else {
            throw ChatPlatformError.permanent("the saved Zulip position in the state folder is damaged; remove the state folder (RINGBOT_STATE_DIR) to start afresh")
        }
        let batch = try await mapping("poll the event queue") { try await reader.poll(from: position, timeout: timeout) }
        return PollResult(messages: batch.questions.map(Self.inbound), nextCursor: batch.nextCursor.encoded)
    }

    public func send(_ reply: OutgoingReply<ZulipReplyTarget>) async throws -> String? {
        let body: String
        switch reply.content {
        case .answer(let document): body = ZulipMarkdown.render(document)
        case .notice(let text): body = ZulipMarkdown.escape(text)
        }
        let target = reply.inReplyTo.target
        let content = ZulipMarkdown.reply(body, to: target, site: api.site)
        let id = try await mapping("send a reply", sending: true) { try await self.api.send(content, to: target.destination) }
        return String(id)
    }

    public func checkDelivery(of reply: OutgoingReply<ZulipReplyTarget>) async throws -> DeliveryCheck {
        guard let delivery else { throw ChatPlatformError.transient("not connected to Zulip yet") }
        let found = try await mapping("read back the conversation") { try await delivery.wasDelivered(reply.inReplyTo.target) }
        return found ? .delivered : .notDelivered
    }

    static func inbound(_ question: ZulipQuestion) -> InboundMessage<ZulipReplyTarget> {
        let addressing: Addressing
        switch question.addressing {
        case .direct: addressing = .direct
        case .mentioned: addressing = .mentioned
        case .unaddressed: addressing = .unaddressed
        }
        return InboundMessage(id: question.id, room: question.room, sender: question.sender, thread: question.thread,
                              text: question.text, sentAt: question.sentAt, addressing: addressing, target: question.target)
    }

    /// Runs `operation`, turning its failures into ``ChatPlatformError``s.
    private func mapping<T: Sendable>(_ purpose: String, sending: Bool = false,
                                      _ operation: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as ZulipAPIError {
            throw ZulipFailure.classify(error, sending: sending)
        } catch let error as HTTPError {
            throw ZulipFailure.classify(error)
        }
    }
}

/// What the runtime should do about a failed Zulip call.
enum ZulipFailure {
    static func classify(_ error: ZulipAPIError, sending: Bool) -> ChatPlatformError {
        if error.isUnauthorized {
            return .permanent("the Zulip server refused the bot's email or API key (\(error.code ?? "\(error.status)"): \(error.message)); check RINGBOT_ZULIP_EMAIL and RINGBOT_ZULIP_API_KEY (or the zuliprc file): the key changes when it is regenerated or the bot is deactivated")
        }
        if error.isRateLimited {
            return ChatPlatformError(.transient(retryAfter: error.retryAfter ?? .seconds(1)), "\(error)")
        }
        if error.isTransient { return .transient("\(error)") }
        if error.status == 404 || error.status == 405 {
            return .permanent("\(error); is RINGBOT_ZULIP_SITE the address of a Zulip server?")
        }
        if sending { return .rejected("\(error)") }
        return .permanent("\(error)")
    }

    static func classify(_ error: HTTPError) -> ChatPlatformError {
        if error.isTransient || isCutHandshake(error) { return .transient("\(error)") }
        if error == .tls {
            return .permanent("\(error) For a server with its own certificate authority, set RINGBOT_ZULIP_CA_FILE (or `ca_file:`) to its PEM file.")
        }
        return .permanent("\(error)")
    }

    /// A TLS handshake the network cut short (the server restarting, a proxy dropping the
    /// connection): libcurl reports it as a TLS failure, but unlike a refused certificate it
    /// is worth retrying.
    static func isCutHandshake(_ error: HTTPError) -> Bool {
        guard error == .tls, let detail = error.detail?.lowercased() else { return false }
        return ["connection reset", "send failure", "recv failure", "ssl_error_syscall", "unexpected eof",
                "connection refused", "broken pipe"].contains { detail.contains($0) }
    }
}

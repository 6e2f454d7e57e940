import Foundation
import RingBotCore

/// A chat platform's wire protocol: everything ``ChatRuntime`` needs to know about one
/// platform (Matrix, Telegram, Zulip...). An adapter supplies only this; the runtime owns
/// the loop and every shared guarantee:
///
/// - **Answer, then save the cursor.** The runtime saves a ``PollResult/nextCursor`` only
///   after every message of that poll (and of earlier polls) was answered or recorded, so a
///   crash replays the unanswered messages instead of losing them.
/// - **Handled ids.** A message whose reply was delivered is remembered by
///   (``platformName``, account, ``InboundMessage/id``); a replayed one is skipped.
/// - **Outbox.** A reply is recorded before it is sent and resolved after. At a restart a
///   reply still recorded as in flight is resolved with the platform's help: sent again
///   under the same ``OutgoingReply/idempotencyKey`` when ``sendsAreIdempotent``, else
///   looked up with ``checkDelivery(of:)``, else sent again with a logged warning that the
///   user may see it twice (at least once, never silently lost).
/// - Flood control by the platform's timestamps, conversation state, fragments, the
///   unanswered report, retries with back-off, stop and shutdown.
///
/// Errors: throw ``ChatPlatformError`` to say whether a failure is worth retrying
/// (``ChatPlatformError/Kind/transient(retryAfter:)``), stops the bot
/// (``ChatPlatformError/Kind/permanent``), or concerns only the one message being sent
/// (``ChatPlatformError/Kind/rejected``). `CancellationError` means the runtime is
/// stopping. Any other error is treated as permanent.
///
/// Calls never overlap for one adapter except ``setTyping(_:for:)`` and the runtime may
/// cancel any call at any moment (stop, or the end of a fragment wait during a poll).
public protocol ChatPlatform: Sendable {
    /// What the adapter needs to reply to one message (chat id, thread, event id...).
    /// Produced by ``poll(from:timeout:)``, handed back in ``OutgoingReply``.
    associatedtype Target: Sendable & Equatable

    /// Short lower-case platform name used in state keys and logs: `matrix`, `telegram`, `zulip`.
    /// Never change it for an existing platform: stored conversations are keyed by it.
    var platformName: String { get }

    /// Logs in (or checks the stored credentials) and returns the bot's account id on the
    /// platform (e.g. `@ringbot:example.org`, a Telegram bot id, a Zulip email). Conversation
    /// keys, handled ids and cursors include it, so two accounts or platforms can share one
    /// state folder. Called once before the first poll, and again after it threw a transient
    /// error. Throws ``ChatPlatformError`` (e.g. `.permanent` for wrong credentials).
    func connect() async throws -> String

    /// The messages after `cursor` (`nil` on the very first start) and the cursor after them.
    ///
    /// - Waits up to `timeout` for something to happen (a long poll); may return earlier,
    ///   with or without messages. The runtime passes short timeouts while it waits for the
    ///   next fragment of a message.
    /// - Must be safe to cancel, and to repeat: polling again from the same `cursor` returns
    ///   the same messages again (or a superset) unless ``PollResult/nextCursor`` was passed
    ///   since. The runtime relies on this for crash recovery.
    /// - On the first start (`cursor == nil`) the adapter decides what counts as history:
    ///   usually it returns no messages and the current position, so the bot does not answer
    ///   what was said before it was there.
    /// - Return only messages from other users; apply the platform's rules for
    ///   ``InboundMessage/addressing`` and remove platform decoration (reply quotes, the
    ///   mention or command prefix) from ``InboundMessage/text``.
    /// - Platform chores (accepting invites, leaving, telling an encrypted room it is not
    ///   supported) happen inside `poll`; they are the adapter's business.
    func poll(from cursor: String?, timeout: Duration) async throws -> PollResult<Target>

    /// Sends one reply, rendered the platform's way (HTML, Markdown or plain text) from
    /// ``OutgoingReply/content``, as a reply to ``OutgoingReply/inReplyTo`` (same chat, same
    /// thread or topic). Returns the platform's id of the sent message when it has one.
    ///
    /// When ``sendsAreIdempotent`` is true, sending twice with the same
    /// ``OutgoingReply/idempotencyKey`` must not show the reply twice (Matrix: the
    /// transaction id). Throw `.rejected` when this reply can never be delivered (the bot
    /// was removed from the chat, the chat is gone): the runtime logs it and moves on.
    func send(_ reply: OutgoingReply<Target>) async throws -> String?

    /// Whether ``send(_:)`` de-duplicates by ``OutgoingReply/idempotencyKey``. Default `false`.
    var sendsAreIdempotent: Bool { get }

    /// For a platform without idempotent sends: whether a reply that was in flight when the
    /// bot stopped reached the chat (a read-back of the bot's recent messages, or a lookup
    /// by a key stored in the message). Default ``DeliveryCheck/unknown``: the runtime then
    /// sends it again and logs that the user may see it twice.
    func checkDelivery(of reply: OutgoingReply<Target>) async throws -> DeliveryCheck

    /// Shows (or stops showing) "the bot is typing" where `message` was written, while the
    /// runtime waits for a further fragment or computes a reply. Best effort: errors are
    /// logged at debug level and otherwise ignored. Default: nothing (no typing notices).
    func setTyping(_ typing: Bool, for message: InboundMessage<Target>) async throws
}

extension ChatPlatform {
    public var sendsAreIdempotent: Bool { false }

    public func checkDelivery(of reply: OutgoingReply<Target>) async throws -> DeliveryCheck { .unknown }

    public func setTyping(_ typing: Bool, for message: InboundMessage<Target>) async throws {}
}

/// What one ``ChatPlatform/poll(from:timeout:)`` returned.
public struct PollResult<Target: Sendable & Equatable>: Sendable {
    /// The new messages for the bot, oldest first.
    public var messages: [InboundMessage<Target>]
    /// Where the next poll continues. Saved by the runtime only once every message of this
    /// (and every earlier) poll was answered or recorded.
    public var nextCursor: String

    public init(messages: [InboundMessage<Target>], nextCursor: String) {
        self.messages = messages
        self.nextCursor = nextCursor
    }
}

/// Whether a message is for the bot, as the platform's rules say. Decided by the adapter
/// (it knows mentions, room sizes and reply relations); acted on by the runtime.
public enum Addressing: Sendable, Equatable {
    /// A one-to-one chat with the bot: every message is answered, and a message that is
    /// not a question on its own waits briefly for the next one (fragments).
    case direct
    /// In a shared room, explicitly for the bot: a mention, the command prefix, a reply to
    /// one of the bot's messages. The address is already removed from the text; an empty
    /// text (e.g. `!ringbot` alone) gets the bot's help.
    case mentioned
    /// In a room the operator made a support room: answered only when the matcher is
    /// confident (its confidence reaches the knowledge's answer threshold).
    case ifConfident
    /// In a shared room, not addressed (a name in passing is not an address). Answered only
    /// as a follow-up in a ``InboundMessage/thread`` the bot has already replied in.
    case unaddressed
}

/// A user's message as the runtime sees it.
public struct InboundMessage<Target: Sendable & Equatable>: Sendable, Equatable {
    /// The platform's id of the message, unique within the bot's account (Telegram: include
    /// the chat id, as message ids restart per chat). Stable across polls: used for the
    /// handled-message record and the reply's idempotency key.
    public var id: String
    /// The chat (room, channel, chat id) the message was written in.
    public var room: String
    /// The sender's id on the platform.
    public var sender: String
    /// The thread, forum topic or stream topic the message belongs to, if any: follow-ups
    /// there are answered once the bot replied in it.
    public var thread: String?
    /// The text to answer, with platform decoration (reply quotes, the bot's mention or
    /// command prefix) removed.
    public var text: String
    /// When the platform's server says it was sent. Flood control and fragment joining go
    /// by this time, not by arrival, so a backlog after downtime is not a flood.
    public var sentAt: Date
    /// Whether (and how) the message is for the bot.
    public var addressing: Addressing
    /// What the adapter needs to reply.
    public var target: Target

    public init(id: String, room: String, sender: String, thread: String? = nil, text: String, sentAt: Date,
                addressing: Addressing, target: Target) {
        self.id = id
        self.room = room
        self.sender = sender
        self.thread = thread
        self.text = text
        self.sentAt = sentAt
        self.addressing = addressing
        self.target = target
    }
}

/// One reply for ``ChatPlatform/send(_:)``.
public struct OutgoingReply<Target: Sendable & Equatable>: Sendable, Equatable {
    /// What to say.
    public enum Content: Sendable, Equatable {
        /// The assistant's answer, to be rendered the platform's way.
        case answer(ReplyDocument)
        /// A one-paragraph notice from the runtime (e.g. "please slow down").
        case notice(String)
    }

    public var content: Content
    /// The message replied to: for joined fragments, the last of them.
    public var inReplyTo: InboundMessage<Target>
    /// Every message this reply answers (the fragments, oldest first; at least ``inReplyTo``).
    public var answers: [String]
    /// Derived from the answered message ids, so the same reply always has the same key,
    /// across retries and restarts (at most 64 characters of `[a-z0-9-]`).
    public var idempotencyKey: String

    public init(content: Content, inReplyTo: InboundMessage<Target>, answers: [String], idempotencyKey: String) {
        self.content = content
        self.inReplyTo = inReplyTo
        self.answers = answers
        self.idempotencyKey = idempotencyKey
    }

    /// The reply as plain text (for platforms without rich text, and for logs in tests).
    public var plainText: String {
        switch content {
        case .answer(let document): PlainTextRenderer.render(document)
        case .notice(let text): text
        }
    }
}

/// What a platform knows about a reply that was in flight when the bot stopped.
public enum DeliveryCheck: Sendable, Equatable {
    /// It reached the chat: the runtime records it as delivered and does not send it again.
    case delivered
    /// It did not: the runtime sends it.
    case notDelivered
    /// The platform cannot tell: the runtime sends it again and logs that it may be a duplicate.
    case unknown
}

import Foundation
import Logging
import RingBotHTTP

/// What one poll of Zulip found: the messages for the bot, oldest first, and where to go on.
public struct ZulipBatch: Sendable, Equatable {
    public var questions: [ZulipQuestion]
    public var nextCursor: ZulipCursor

    public init(questions: [ZulipQuestion], nextCursor: ZulipCursor) {
        self.questions = questions
        self.nextCursor = nextCursor
    }
}

/// Follows the bot's event queue: `POST /register` (message events only, raw Markdown, a long
/// `idle_queue_timeout`), then `GET /events` from the cursor. Heartbeats and other events only
/// move the cursor.
///
/// When the queue is gone (`BAD_EVENT_QUEUE_ID`: the server collected it while the bot was
/// down, or lost it in a crash) or refuses the cursor's event id, it registers a new queue and
/// reads what was said meanwhile with `GET /messages`, from the cursor's last message up to the
/// new queue's `max_message_id`; later messages arrive as events of the new queue. So nothing
/// is lost; a message read twice is skipped by the runtime's handled ids.
public struct ZulipEventReader: Sendable {
    public let api: ZulipAPI
    public let interpreter: ZulipInterpreter
    /// Seconds the server may keep the queue while nobody polls it.
    public let idleQueueTimeout: Int
    let logger: Logger
    /// Messages per `GET /messages` page, and how many pages a gap may take at most.
    let pageSize: Int
    let maxGapPages: Int

    public init(api: ZulipAPI, interpreter: ZulipInterpreter, idleQueueTimeout: Int, logger: Logger,
                pageSize: Int = 1000, maxGapPages: Int = 10) {
        self.api = api
        self.interpreter = interpreter
        self.idleQueueTimeout = idleQueueTimeout
        self.logger = logger
        self.pageSize = pageSize
        self.maxGapPages = maxGapPages
    }

    /// The first start: a new queue, positioned after every existing message (which the bot
    /// does not answer: it was not there when they were written).
    public func start() async throws -> ZulipCursor {
        let queue = try await register()
        logger.info("first start: registered an event queue; earlier messages are not answered")
        return ZulipCursor(queueID: queue.id, lastEventID: queue.lastEventID, lastMessageID: queue.maxMessageID)
    }

    /// The messages after `cursor`, waiting up to `timeout` (at most the server's long-poll time).
    public func poll(from cursor: ZulipCursor, timeout: Duration) async throws -> ZulipBatch {
        guard let queueID = cursor.queueID else { return try await recover(from: cursor) }
        let events: [ZulipEvent]
        let limit = min(timeout, .seconds(90))
        do {
            events = try await api.events(queueID: queueID, lastEventID: cursor.lastEventID,
                                          timeout: limit + .seconds(5), dontBlock: timeout < .milliseconds(500))
        } catch let error as ZulipAPIError where error.isBadEventQueue {
            logger.warning("the Zulip event queue is gone (the server collected it while the bot was away); registering a new one and reading the messages sent meanwhile")
            return try await recover(from: cursor)
        } catch let error as ZulipAPIError where error.status == 400 && Self.refusesEventID(error) {
            logger.warning("the Zulip server refused the saved queue position; registering a new queue and reading the messages sent meanwhile",
                           metadata: ["error": "\(error)"])
            return try await recover(from: cursor)
        } catch let error as HTTPError where error == .timedOut && timeout < .seconds(90) {
            return ZulipBatch(questions: [], nextCursor: cursor)
        }
        var next = cursor
        var questions: [ZulipQuestion] = []
        for event in events {
            next.lastEventID = max(next.lastEventID, event.id)
            guard let message = event.message, message.id > cursor.lastMessageID else { continue }
            next.lastMessageID = max(next.lastMessageID, message.id)
            if let question = interpreter.interpret(message, flags: event.flags) { questions.append(question) }
        }
        return ZulipBatch(questions: questions, nextCursor: next)
    }

    /// A new queue, and the messages after the cursor's last one that arrived before it.
    private func recover(from cursor: ZulipCursor) async throws -> ZulipBatch {
        let queue = try await register()
        var questions: [ZulipQuestion] = []
        var last = cursor.lastMessageID
        if last >= 0 && queue.maxMessageID > last {
            var pages = 0
            while last < queue.maxMessageID {
                guard pages < maxGapPages else {
                    logger.error("too many messages were sent while the bot was away; answering only the first ones",
                                 metadata: ["skipped_after": "\(last)"])
                    break
                }
                let page = try await api.messages(after: last, numAfter: pageSize)
                pages += 1
                for message in page.messages where message.id > last && message.id <= queue.maxMessageID {
                    last = message.id
                    if let question = interpreter.interpret(message, flags: message.flags ?? []) {
                        questions.append(question)
                    }
                }
                if page.messages.isEmpty || page.foundNewest { break }
            }
            logger.info("read the messages sent while the event queue was gone",
                        metadata: ["for_the_bot": "\(questions.count)"])
        }
        let position = max(cursor.lastMessageID, queue.maxMessageID)
        return ZulipBatch(questions: questions,
                          nextCursor: ZulipCursor(queueID: queue.id, lastEventID: queue.lastEventID, lastMessageID: position))
    }

    private func register() async throws -> ZulipQueue {
        let queue = try await api.register(idleQueueTimeout: idleQueueTimeout)
        if queue.ignoredParameters.contains("idle_queue_timeout") {
            logger.notice("this Zulip server ignores idle_queue_timeout: it drops the event queue after 10 minutes without the bot (the bot then reads the missed messages)")
        }
        return queue
    }

    /// "An event newer than 5 has already been pruned!" / "Event 5 was not in this queue".
    static func refusesEventID(_ error: ZulipAPIError) -> Bool {
        error.message.contains("already been pruned") || error.message.contains("was not in this queue")
    }
}

/// After a crash, finds whether the reply to a question was already delivered: reads back the
/// bot's latest messages in the topic or direct conversation and looks for the question's
/// link (see ``ZulipMarkdown/reply(_:to:site:)``).
public struct ZulipDeliveryCheck: Sendable {
    public let api: ZulipAPI
    public let botUserID: Int
    /// How many of the bot's latest messages in the conversation are read.
    let lookBack: Int

    public init(api: ZulipAPI, botUserID: Int, lookBack: Int = 100) {
        self.api = api
        self.botUserID = botUserID
        self.lookBack = lookBack
    }

    /// Whether a reply quoting `target`'s question is among the bot's latest messages there.
    public func wasDelivered(_ target: ZulipReplyTarget) async throws -> Bool {
        var narrow: [ZulipNarrow]
        switch target.destination {
        case .stream(let id, let topic):
            narrow = [ZulipNarrow("channel", .int(id)), ZulipNarrow("topic", .string(topic))]
        case .direct(let userIDs):
            narrow = [ZulipNarrow("dm", .ids(userIDs))]
        }
        narrow.append(ZulipNarrow("sender", .int(botUserID)))
        let page = try await api.messages(after: nil, numBefore: lookBack, narrow: narrow)
        return page.messages.contains { ZulipMarkdown.repliedMessageIDs(in: $0.content).contains(target.messageID) }
    }
}

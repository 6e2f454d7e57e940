import Foundation
import Logging
import RingBotCore

/// Answering: one reply per message or group of fragments, recorded in the outbox before it
/// is sent and committed with the conversation's new state after.
extension ChatRuntime {
    /// Answers `messages` (one message, or the fragments of one question) with one reply to the last.
    func answer(_ messages: [Message], flood decisions: [FloodDecision], key: ConversationKey) async throws {
        guard let last = messages.last else { return }
        let ids = messages.map(\.id)
        if decisions.contains(.slow(notice: true)) {   // fragments joined past the limit: one answer, the notice first
            try await sendNotice(FloodControl.slowDownText, to: last, key: key)
            logger.info("flood control: answering a user more slowly", metadata: ["room": "\(last.room)"])
        }
        let started = ContinuousClock.now
        var text = Self.joined(messages)
        if text.isEmpty && last.addressing != .direct { text = "help" }
        let assistant = assistants.current
        let before = try store.conversationState(for: key) ?? ConversationState()
        // Reading the message runs the sentence encoder (milliseconds): off the cooperative pool.
        let (reply, state) = await onDedicatedThread { [text] in
            var state = before
            let reply = assistant.respond(to: text, state: &state, now: last.sentAt)
            return (reply, state)
        }
        var unanswered: [UnansweredQuestion] = []
        if !reply.answered {
            unanswered.append(UnansweredQuestion(
                text: text, askedAt: last.sentAt, senderHash: try senderPseudonymizer().pseudonym(for: last.sender),
                bestGuess: reply.bestGuess?.intent ?? reply.intent, confidence: reply.bestGuess?.confidence ?? reply.confidence,
                platform: account.platform))
        }
        let outgoing = OutgoingReply(content: .answer(reply.document), inReplyTo: last, answers: ids,
                                     idempotencyKey: Self.idempotencyKey(for: last.id))
        let delivered = try await deliver(outgoing, key: key)
        try store.commit(CompletedTurn(conversation: key, messageIDs: ids, state: delivered ? state : nil,
                                       unanswered: delivered ? unanswered : [], outboxKey: outgoing.idempotencyKey,
                                       answeredThread: delivered ? last.thread : nil, completedAt: now()))
        lastAnswer[key] = ContinuousClock.now
        if last.sentAt < startedAt.addingTimeInterval(-5) { backlogAnswered += messages.count }
        guard delivered else { return }
        let elapsed = started.duration(to: ContinuousClock.now)
        logger.info("answered", metadata: [
            "topic": "\(reply.intent)", "answered": "\(reply.answered)",
            "confidence": "\(String(format: "%.2f", reply.confidence))",
            "latency_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            "messages": "\(messages.count)",
        ])
    }

    /// Records `outgoing` in the outbox, resolves a send left in flight by an earlier run,
    /// and sends. Returns `false` when the platform rejected it for good.
    func deliver(_ outgoing: OutgoingReply<Platform.Target>, key: ConversationKey) async throws -> Bool {
        if inFlight.removeValue(forKey: outgoing.idempotencyKey) != nil && !platform.sendsAreIdempotent {
            switch try await retrying("check a reply sent before the stop", attempts: nil, {
                try await self.platform.checkDelivery(of: outgoing)
            }) {
            case .delivered:
                logger.info("a reply sent before the last stop had arrived; not sending it again",
                            metadata: ["message": "\(outgoing.inReplyTo.id)"])
                return true
            case .notDelivered:
                break
            case .unknown:
                logger.warning("a reply was being sent when the bot last stopped and the platform cannot tell whether it arrived; sending it again (the user may see it twice)",
                               metadata: ["message": "\(outgoing.inReplyTo.id)"])
            }
        }
        try store.recordOutgoing(OutboxEntry(conversation: key, key: outgoing.idempotencyKey,
                                             messageIDs: outgoing.answers, createdAt: now()))
        do {
            _ = try await stop.finishing(within: settings.stopGrace) {
                try await self.retrying("send a reply", attempts: nil, abandonOnStop: false) { try await self.platform.send(outgoing) }
            }
            return true
        } catch let error as ChatPlatformError where error.kind == .rejected {
            logger.warning("the platform refused a reply; the message is counted as handled",
                           metadata: ["room": "\(outgoing.inReplyTo.room)", "error": "\(error)"])
            return false
        }
    }

    func sendNotice(_ text: String, to message: Message, key: ConversationKey) async throws {
        let notice = OutgoingReply(content: .notice(text), inReplyTo: message, answers: [message.id],
                                   idempotencyKey: "ringbot-slow-" + SHA256.hex(message.id).prefix(32))
        do {
            _ = try await stop.finishing(within: settings.stopGrace) {
                try await self.retrying("send a notice", attempts: nil, abandonOnStop: false) { try await self.platform.send(notice) }
            }
        } catch let error as ChatPlatformError where error.kind == .rejected {
            logger.warning("the platform refused a notice", metadata: ["room": "\(message.room)", "error": "\(error)"])
        }
    }

    /// Past flood control's hard limit: not answered, recorded for the report.
    func recordUnanswered(_ message: Message, key: ConversationKey) async throws {
        let question = UnansweredQuestion(
            text: message.text, askedAt: message.sentAt,
            senderHash: try senderPseudonymizer().pseudonym(for: message.sender),
            bestGuess: UnansweredQuestion.notAnsweredFlood, confidence: 0, platform: account.platform)
        try store.commit(CompletedTurn(conversation: key, messageIDs: [message.id], state: nil,
                                       unanswered: [question], completedAt: now()))
        logger.warning("flood control: a message past the hard limit was recorded as unanswered",
                       metadata: ["room": "\(message.room)"])
    }

    func senderPseudonymizer() throws -> SenderPseudonymizer {
        if let pseudonymizer { return pseudonymizer }
        let made = try store.senderPseudonymizer()
        pseudonymizer = made
        return made
    }

    /// `ringbot-` and 32 hex digits of SHA-256 of the message id: the same reply always gets the same key.
    public static func idempotencyKey(for messageID: String) -> String {
        "ringbot-" + SHA256.hex(messageID).prefix(32)
    }
}

import Foundation
import Logging
import RingBotRuntime

/// Room chores done during a poll: back-filling a cut timeline, invites, encrypted rooms,
/// and how the bot treats a room (direct, group, support).
extension MatrixPlatform {
    /// The events a cut (`limited`) timeline left out: pages back through `/messages`
    /// until the events are older than the saved cursor (minus a minute of slack;
    /// handled events are skipped by the runtime anyway), at most five pages.
    func backfill(_ room: JoinedRoomUpdate) async throws -> [RoomEvent] {
        guard let start = room.previousBatch, let savedAt = try store.store.cursor(for: account)?.savedAt else {
            logger.warning("some messages of a busy room were skipped by the server", metadata: ["room": "\(room.roomID)"])
            return []
        }
        let boundary = savedAt.addingTimeInterval(-60)
        let known = Set(room.timeline.map(\.eventID))
        var collected: [RoomEvent] = []
        var from: String? = start
        var pages = 0
        do {
            paging: while let token = from, pages < 5 {
                let page = try await withSession {
                    try await self.client.messagesBefore(roomID: room.roomID, from: token, limit: 100)
                }
                pages += 1
                for json in page.events {
                    guard let event = RoomEvent(json: json) else { continue }
                    if let sentAt = event.sentAt, sentAt < boundary { break paging }
                    if !known.contains(event.eventID) { collected.append(event) }
                }
                if page.events.isEmpty || page.end == token { break }
                from = page.end
            }
        } catch let error as MatrixError {
            logger.warning("could not read the messages a busy room skipped", metadata: [
                "room": "\(room.roomID)", "error": "\(error)",
            ])
        }
        logger.info("filled a gap in a busy room", metadata: ["room": "\(room.roomID)", "events": "\(collected.count)"])
        return collected.reversed()
    }

    func handle(_ invite: RoomInvite) async throws {
        let inviter = invite.inviter ?? "unknown"
        do {
            if configuration.invitePolicy.accepts(inviter: invite.inviter) {
                try await withSession { try await self.client.join(roomID: invite.roomID) }
                logger.info("accepted an invite", metadata: ["room": "\(invite.roomID)", "inviter": "\(inviter)"])
            } else {
                try await withSession { try await self.client.leave(roomID: invite.roomID) }
                logger.info("declined an invite from a user not on the allow list",
                            metadata: ["room": "\(invite.roomID)", "inviter": "\(inviter)"])
            }
        } catch let error as MatrixError {
            logger.warning("could not answer an invite", metadata: ["room": "\(invite.roomID)", "error": "\(error)"])
        }
    }

    func noteEncrypted(_ roomID: String) async throws {
        encryptedRooms.insert(roomID)
        guard !(try store.isEncryptedRoomNotified(roomID)) else { return }
        do {
            try await withSession {
                try await self.client.send(roomID: roomID, eventType: "m.room.message",
                                           transactionID: TransactionID.encryptionNotice(in: roomID),
                                           content: ReplyComposer.standalone(text: Self.encryptionNoticeText))
            }
            logger.info("told an encrypted room that it is not supported", metadata: ["room": "\(roomID)"])
        } catch let error as MatrixError {
            logger.warning("could not tell an encrypted room it is not supported",
                           metadata: ["room": "\(roomID)", "error": "\(error)"])
        }
        try store.markEncryptedRoomNotified(roomID, at: clock())
    }

    func roomKind(_ roomID: String) async throws -> RoomKind {
        let count: Int
        if let known = memberCounts[roomID] {
            count = known
        } else {
            do {
                count = try await withSession { try await self.client.joinedMembers(roomID: roomID) }.count
            } catch let error as MatrixError {
                logger.warning("could not count a room's members", metadata: ["room": "\(roomID)", "error": "\(error)"])
                count = 3
            }
            memberCounts[roomID] = count
        }
        if count <= 2 { return .direct }
        return configuration.supportRooms.contains(roomID) ? .support : .group
    }
}

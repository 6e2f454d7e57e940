import RingBotRuntime

/// Deterministic transaction ids for the messages the Matrix adapter sends on its own,
/// so a re-send after a crash or retry is de-duplicated by the homeserver (same device
/// required). Replies use the runtime's ``RingBotRuntime/OutgoingReply/idempotencyKey``.
public enum TransactionID {
    /// The id of the one "encrypted rooms are not supported" notice in room `roomID`.
    public static func encryptionNotice(in roomID: String) -> String {
        "ringbot-e2ee-" + SHA256.hex(roomID).prefix(32)
    }
}

import RingBotRuntime

/// Deterministic transaction ids, so a reply re-sent after a crash or a retry
/// carries the same id and the homeserver de-duplicates it (same device required).
public enum TransactionID {
    /// The id of the reply to event `eventID`: `ringbot-` and 32 hex digits of SHA-256(event id).
    public static func reply(to eventID: String) -> String {
        "ringbot-" + SHA256.hex(eventID).prefix(32)
    }

    /// The id of the one "slow down" notice for event `eventID`.
    public static func slowDown(for eventID: String) -> String {
        "ringbot-slow-" + SHA256.hex(eventID).prefix(32)
    }

    /// The id of the one "encrypted rooms are not supported" notice in room `roomID`.
    public static func encryptionNotice(in roomID: String) -> String {
        "ringbot-e2ee-" + SHA256.hex(roomID).prefix(32)
    }
}

/// The `/sync` filter the bot uploads: only what it reacts to.
enum SyncFilter {
    /// Bump when ``definition(timelineLimit:)`` changes, so a new filter is uploaded.
    static let version = 1

    /// Timeline: messages, encryption and membership events; state: lazily loaded
    /// members plus the encryption event; no presence, no account data, no ephemeral events.
    static func definition(timelineLimit: Int) -> JSONValue {
        [
            "presence": ["types": []],
            "account_data": ["types": []],
            "event_fields": ["type", "content", "sender", "event_id", "origin_server_ts", "state_key", "unsigned"],
            "room": [
                "timeline": ["types": ["m.room.message", "m.room.encryption", "m.room.member"],
                             "limit": .int(timelineLimit), "lazy_load_members": true],
                "state": ["types": ["m.room.encryption", "m.room.member"], "lazy_load_members": true],
                "ephemeral": ["types": []],
                "account_data": ["types": []],
            ],
        ]
    }
}

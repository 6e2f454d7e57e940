import RingBotCore

/// Builds the content of the bot's `m.notice` messages.
public enum ReplyComposer {
    /// A reply to `question`: plain `body`, HTML `formatted_body` (all text escaped by
    /// ``RingBotCore/HTMLRenderer``), a relation to the question (in its thread when it
    /// was asked in one) and a mention of the asker.
    public static func reply(_ document: ReplyDocument, to question: Question) -> JSONValue {
        notice(body: PlainTextRenderer.render(document), html: HTMLRenderer.render(document), to: question)
    }

    /// A one-paragraph notice in reply to `question`.
    public static func reply(text: String, to question: Question) -> JSONValue {
        notice(body: text, html: "<p>\(HTMLRenderer.escape(text))</p>", to: question)
    }

    /// A notice that replies to nothing (e.g. "encrypted rooms are not supported").
    public static func standalone(text: String) -> JSONValue {
        ["msgtype": "m.notice", "body": .string(text), "m.mentions": ["user_ids": []]]
    }

    private static func notice(body: String, html: String, to question: Question) -> JSONValue {
        let inReplyTo: JSONValue = ["event_id": .string(question.eventID)]
        let relation: JSONValue
        if let root = question.threadRoot {
            relation = ["rel_type": "m.thread", "event_id": .string(root), "is_falling_back": true,
                        "m.in_reply_to": inReplyTo]
        } else {
            relation = ["m.in_reply_to": inReplyTo]
        }
        return [
            "msgtype": "m.notice",
            "body": .string(body),
            "format": "org.matrix.custom.html",
            "formatted_body": .string(html),
            "m.relates_to": relation,
            "m.mentions": ["user_ids": [.string(question.sender)]],
        ]
    }
}

"""The fake Bot API's state: one bot, its chats and messages, the update queue, and the faults tests ask for.

Behaviour copied from core.telegram.org/bots/api:
- getUpdates: "An update is considered confirmed as soon as getUpdates is called with an offset higher than its
  update_id"; a negative offset keeps only the last -offset updates; updates are kept at most 24 hours;
  `allowed_updates` stays in effect for later calls; a long poll ends as soon as an update arrives; a second
  getUpdates ends the first with 409 "terminated by other getUpdates request"; a set webhook makes getUpdates 409.
- Privacy mode (on by default): in groups the bot receives only commands meant for it, replies to its messages,
  mentions of its username and service messages; in private chats everything.
- sendMessage: 1-4096 characters after entity parsing; a group that became a supergroup answers 400 with
  `parameters.migrate_to_chat_id`; a missing reply target or forum topic is a 400.
- Message ids count per chat; messages in a forum topic carry `message_thread_id` and `is_topic_message`, and
  (the real server's quirk) a `reply_to_message` that is the topic's creation message.

Every mutation is saved to `world.json` in the state folder, so a restarted server keeps its updates and chats.
"""
import json
import os
import re
import threading
import time

import telegram_html

RETENTION_SECONDS = 24 * 3600
MAX_TEXT_LENGTH = 4096


class ApiError(Exception):
    """An error answer of the Bot API: {"ok": false, "error_code", "description"[, "parameters"]}."""

    def __init__(self, code, description, parameters=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self):
        body = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text, parameters=None):
    return ApiError(400, "Bad Request: " + text, parameters)


class World:
    def __init__(self, directory, token, username):
        self.path = os.path.join(directory, "world.json")
        self.lock = threading.Condition()
        self.poll_generation = 0      # bumped by each getUpdates; an older waiting poll then ends with 409
        self.outage = False
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                self.data = json.load(f)
        else:
            bot_id = int(token.split(":")[0])
            self.data = {
                "bot": {"id": bot_id, "is_bot": True, "first_name": "RingBot", "username": username,
                        "can_join_groups": True, "can_read_all_group_messages": False,
                        "supports_inline_queries": False, "can_connect_to_business": False,
                        "has_main_web_app": False},
                "tokens": {token: "valid"},
                "clock_offset": 0.0,
                "next_update_id": 100_000_000 + int(time.time()) % 1000 * 1000,
                "updates": [],          # [{"update_id", "created", "update"}]
                "allowed_updates": None,
                "webhook": "",
                "privacy": True,
                "chats": {},            # str(id) -> {"chat": {...}, "next_id": n, "messages": {str(mid): msg}, ...}
                "sent": [],             # every message the bot sent, in order
                "faults": [],           # [{"method", "status", "retry_after", "count"}]
                "requests": [],         # [{"method", "params"}] (token-free), newest last
                "violations": [],       # schema violations, for the tests to assert none
                "last_poll": None,      # {"timeout", "allowed_updates", "offset", "at"}
            }
            self.save()

    # --- persistence and clock ---

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.data, f)
        os.replace(tmp, self.path)

    def now(self):
        return time.time() + self.data["clock_offset"]

    # --- tokens, faults, request log ---

    def check_token(self, token):
        state = self.data["tokens"].get(token)
        if state != "valid":
            raise ApiError(401, "Unauthorized")

    def record_request(self, method, params):
        with self.lock:
            self.data["requests"].append({"method": method, "params": params, "at": self.now()})
            del self.data["requests"][:-2000]   # saved with the next change of state

    def record_violation(self, text):
        with self.lock:
            self.data["violations"].append(text)
            self.save()

    def take_fault(self, method):
        """A forced error for this call of `method`, if the tests queued one."""
        with self.lock:
            for fault in self.data["faults"]:
                if fault["method"] in (method, "*") and fault["count"] > 0:
                    fault["count"] -= 1
                    self.data["faults"] = [f for f in self.data["faults"] if f["count"] > 0]
                    self.save()
                    return dict(fault)
        return None

    # --- chats and messages ---

    def chat_entry(self, chat_id):
        entry = self.data["chats"].get(str(chat_id))
        if entry is None:
            raise bad_request("chat not found")
        return entry

    def ensure_chat(self, chat):
        key = str(chat["id"])
        entry = self.data["chats"].get(key)
        if entry is None:
            entry = {"chat": dict(chat), "next_id": 1, "messages": {}, "topics": {}}
            self.data["chats"][key] = entry
        return entry

    def new_message(self, entry, sender, text=None, thread_id=None, reply_to=None, extra=None):
        mid = entry["next_id"]
        entry["next_id"] += 1
        message = {"message_id": mid, "date": int(self.now()), "chat": entry["chat"]}
        if sender is not None:
            message["from"] = sender
        if text is not None:
            message["text"] = text
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        if extra:
            message.update(extra)
        entry["messages"][str(mid)] = message
        return message

    def push_update(self, kind, payload):
        update_id = self.data["next_update_id"]
        self.data["next_update_id"] += 1
        self.data["updates"].append({"update_id": update_id, "created": self.now(),
                                     "update": {"update_id": update_id, kind: payload}})
        return update_id

    def visible_to_bot(self, entry, message):
        """Privacy mode: what a bot that is not an admin receives from a group."""
        if entry["chat"]["type"] == "private" or not self.data["privacy"]:
            return True
        text = message.get("text", "")
        username = self.data["bot"]["username"]
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.lower().endswith("@" + username.lower())
        if "@" + username.lower() in text.lower():
            return True
        replied = message.get("reply_to_message")
        if replied and replied.get("from", {}).get("id") == self.data["bot"]["id"]:
            return True
        return "text" not in message   # service messages

    def inject(self, spec):
        """A user's message (control API): {"chat": {...}, "from": {...}, "text", "thread_id"?, "reply_to"?,
        "edited_of"?}. Returns its ids, and whether the bot will receive it (privacy mode)."""
        with self.lock:
            chat = dict(spec["chat"])
            entry = self.data["chats"].get(str(chat["id"]))
            while entry is not None and entry.get("migrated_to"):
                entry = self.data["chats"][str(entry["migrated_to"])]
            entry = entry or self.ensure_chat(chat)
            sender = spec["from"]
            thread_id = spec.get("thread_id")
            reply_to = None
            if spec.get("reply_to") is not None:
                reply_to = entry["messages"].get(str(spec["reply_to"]))
                if reply_to is None:
                    raise bad_request("message to be replied not found")
            elif thread_id is not None:
                topic = entry["topics"].get(str(thread_id))
                if topic is None:
                    raise bad_request("message thread not found")
                reply_to = entry["messages"][str(topic)]
            entities = entities_of(spec["text"])
            message = self.new_message(entry, sender, spec["text"], thread_id, reply_to,
                                       {"entities": entities} if entities else None)
            kind = spec.get("kind", "message")
            delivered = self.visible_to_bot(entry, message)
            update_id = self.push_update(kind, message) if delivered else None
            self.save()
            self.lock.notify_all()
            return {"message_id": message["message_id"], "chat_id": entry["chat"]["id"], "update_id": update_id,
                    "delivered": delivered}

    def create_topic(self, chat, name, creator):
        """A forum topic (control API); returns its message_thread_id (the id of its creation message)."""
        with self.lock:
            entry = self.ensure_chat(chat)
            if not entry["chat"].get("is_forum"):
                raise bad_request("the chat is not a forum")
            message = self.new_message(entry, creator, None, None, None,
                                       {"forum_topic_created": {"name": name, "icon_color": 7322096}})
            thread_id = message["message_id"]
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            entry["topics"][str(thread_id)] = thread_id
            self.save()
            return thread_id

    def migrate(self, chat_id):
        """The group becomes a supergroup with a new id; both service messages are delivered (control API)."""
        with self.lock:
            old = self.chat_entry(chat_id)
            if old["chat"]["type"] != "group":
                raise bad_request("only a basic group can be upgraded")
            new_id = -1_000_000_000_000 - abs(chat_id)
            new_chat = dict(old["chat"], id=new_id, type="supergroup")
            new = self.ensure_chat(new_chat)
            old["migrated_to"] = new_id
            creator = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
            self.push_update("message", self.new_message(old, creator, None, extra={"migrate_to_chat_id": new_id}))
            self.push_update("message", self.new_message(new, creator, None, extra={"migrate_from_chat_id": chat_id}))
            self.save()
            self.lock.notify_all()
            return new_id

    # --- Bot API methods ---

    def get_updates(self, params):
        with self.lock:
            if self.data["webhook"]:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            self.poll_generation += 1
            generation = self.poll_generation
            self.lock.notify_all()   # ends any older poll with 409
            if "allowed_updates" in params:
                self.data["allowed_updates"] = params["allowed_updates"] or None
            offset = params.get("offset")
            limit = params.get("limit", 100)
            timeout = params.get("timeout", 0)
            self.data["last_poll"] = {"timeout": timeout, "offset": offset, "at": self.now(),
                                      "allowed_updates": self.data["allowed_updates"]}
            self.forget(offset)
            deadline = time.monotonic() + timeout
            while True:
                if self.poll_generation != generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
                if self.outage:
                    raise ConnectionAbortedError("outage")
                ready = self.deliverable(limit)
                if ready or time.monotonic() >= deadline:
                    self.save()
                    return ready
                self.lock.wait(min(0.2, max(0.01, deadline - time.monotonic())))

    def forget(self, offset):
        cutoff = self.now() - RETENTION_SECONDS
        updates = [u for u in self.data["updates"] if u["created"] >= cutoff]
        if offset is not None:
            if offset < 0:
                updates = updates[offset:]
            else:
                updates = [u for u in updates if u["update_id"] >= offset]
        self.data["updates"] = updates

    def deliverable(self, limit):
        allowed = self.data["allowed_updates"]
        out = []
        for item in self.data["updates"]:
            kinds = [k for k in item["update"] if k != "update_id"]
            if allowed is not None and kinds[0] not in allowed:
                continue
            if allowed is None and kinds[0] in ("chat_member", "message_reaction", "message_reaction_count"):
                continue
            out.append(item["update"])
            if len(out) >= limit:
                break
        return out

    def send_message(self, params):
        with self.lock:
            entry = self.chat_entry(params["chat_id"])
            if entry.get("migrated_to"):
                raise bad_request("group chat was upgraded to a supergroup chat",
                                  {"migrate_to_chat_id": entry["migrated_to"]})
            text = params["text"]
            mode = params.get("parse_mode")
            if mode == "HTML":
                try:
                    text = telegram_html.parse(text)
                except telegram_html.HtmlError as error:
                    raise bad_request("can't parse entities: " + str(error))
            elif mode is not None:
                raise bad_request(f"the fake Bot API implements only parse_mode HTML, not {mode}")
            text = text.strip()
            if not text:
                raise bad_request("message text is empty")
            if telegram_html.utf16_length(text) > MAX_TEXT_LENGTH:
                raise bad_request("message is too long")
            thread_id = params.get("message_thread_id")
            if thread_id is not None:
                if not entry["chat"].get("is_forum"):
                    thread_id = None   # ignored outside forums, as on the real server
                elif str(thread_id) not in entry["topics"] and thread_id != 1:
                    raise bad_request("message thread not found")
            reply = params.get("reply_parameters") or {}
            reply_id = reply.get("message_id", params.get("reply_to_message_id"))
            reply_to = None
            if reply_id is not None:
                reply_to = entry["messages"].get(str(reply_id))
                lenient = reply.get("allow_sending_without_reply", params.get("allow_sending_without_reply"))
                if reply_to is None and not lenient:
                    raise bad_request("message to be replied not found")
            message = self.new_message(entry, self.bot_user(), text, thread_id, reply_to)
            self.data["sent"].append({"chat_id": entry["chat"]["id"], "message_id": message["message_id"],
                                      "text": text, "html": params["text"] if mode == "HTML" else None,
                                      "message_thread_id": thread_id, "reply_to_message_id": reply_id,
                                      "date": message["date"]})
            self.save()
            self.lock.notify_all()   # wakes /wait_sent
            return message

    def wait_sent(self, after, timeout):
        """The bot's messages after the first `after`, waiting up to `timeout` seconds for one (control API)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.data["sent"]) <= after and time.monotonic() < deadline:
                self.lock.wait(max(0.01, deadline - time.monotonic()))
            return self.data["sent"][after:]

    def bot_user(self):
        bot = self.data["bot"]
        return {"id": bot["id"], "is_bot": True, "first_name": bot["first_name"], "username": bot["username"]}


def entities_of(text):
    """The entities the real server computes for commands and mentions (offsets in UTF-16 code units)."""
    entities = []
    for match in re.finditer(r"(?<![\w/@])(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?)|(?<![\w@])(@[A-Za-z0-9_]{5,32})",
                             text):
        kind = "bot_command" if match.group(1) else "mention"
        offset = telegram_html.utf16_length(text[:match.start()])
        entities.append({"type": kind, "offset": offset, "length": telegram_html.utf16_length(match.group(0))})
    return entities

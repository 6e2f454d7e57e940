#!/usr/bin/env python3
"""A stateful fake Zulip server for RingBot's tests (Python standard library only).

It serves Zulip's REST API over HTTPS on 127.0.0.1 with a self-signed certificate made at the
first start (so libcurl's TLS path is exercised) and copies the real server's behaviour from its
published API (zerver/openapi/zulip.yaml) and source (zerver/tornado/event_queue.py,
zerver/lib/exceptions.py, zerver/lib/rate_limiter.py):

- HTTP Basic auth with email and API key; 401 INVALID_API_KEY for a wrong or revoked key.
- POST /register: an event queue with `event_types`, `apply_markdown`, `idle_queue_timeout`
  (default 600 s, capped at a week); `max_message_id` when message events are fetched.
- GET /events: long-poll with `queue_id` and `last_event_id`; events up to `last_event_id`
  are pruned (with the real errors for an already-pruned or unknown id); a heartbeat event
  after the heartbeat interval; a new request for the same queue finishes the previous one.
  A queue nobody is connected to expires `idle_queue_timeout` seconds after its last
  connection on the server's clock (which the control API can move forward): then
  400 BAD_EVENT_QUEUE_ID. Queues survive a graceful restart (SIGTERM), as Tornado dumps
  and reloads them.
- GET /messages (anchor, num_before/num_after, include_anchor, narrow) and POST /messages
  (channel + topic, or direct), with the real truncation of long content and topics.
- Rate limits per user (default 200 requests per 60 s, as `api_by_user`): 429 RATE_LIMIT_HIT
  with the real body and a fractional `Retry-After` header.
- Every request is checked against the trimmed OpenAPI copy (zulip-openapi.json): an unknown
  endpoint or parameter, a missing required one or a badly typed value is answered with 400
  and recorded as a violation (GET /control/violations).

A plain-HTTP control API on a second loopback port lets tests act as the users and break
things (see CONTROL_HELP). Usage:

  fake_zulip.py serve --state-dir DIR [--heartbeat-seconds S]

It writes DIR/ready.json (ports, CA file, users and their keys) once it listens; SIGTERM saves
the state to DIR/state.json and a later `serve` of the same folder resumes it on the same ports.
"""
import argparse
import base64
import html
import json
import os
import random
import re
import secrets
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openapi_validator import Validator, Violation  # noqa: E402

ZULIP_VERSION = "10.4"
ZULIP_FEATURE_LEVEL = 334
DEFAULT_EVENT_QUEUE_TIMEOUT_SECS = 600          # event_queue.py
MAX_QUEUE_TIMEOUT_SECS = 7 * 24 * 60 * 60         # event_queue.py
EVENT_QUEUE_LONGPOLL_TIMEOUT_SECONDS = 90         # settings.EVENT_QUEUE_LONGPOLL_TIMEOUT_SECONDS
MAX_MESSAGE_LENGTH = 10000                        # settings.MAX_MESSAGE_LENGTH
MAX_TOPIC_NAME_LENGTH = 60
MAX_MESSAGES_PER_FETCH = 5000
DEFAULT_RATE_LIMIT = [[60, 200]]                  # RATE_LIMITING_RULES["api_by_user"]
IDLE_CONNECTION_SECONDS = 120                     # a keep-alive connection idle this long is closed

CONTROL_HELP = """control API (JSON bodies; plain HTTP on 127.0.0.1):
  GET  /control/state                      users, streams, queues, clock
  POST /control/send {sender, type: direct|stream, to: [emails] | stream name, topic?, content}
  GET  /control/messages[?sender=EMAIL]    every message (raw Markdown), oldest first
  POST /control/advance {seconds}          move the server clock forward, then collect idle queues
  POST /control/expire_queues {user?}      drop the user's (or every) event queue now
  POST /control/cut / /control/restore     stop / resume accepting API connections (in-flight ones are dropped)
  POST /control/fail {method, path, status, count, retry_after?}   answer the next COUNT matching requests with STATUS
  POST /control/rate_limit {rules: [[seconds, max], ...]}
  POST /control/rotate_key {user}          give the user a new API key (the old one gets 401)
  GET  /control/violations                 requests the published API does not describe
  GET  /control/requests                   every API request: method, path, status, user
"""


def log(message):
    print(f"fake-zulip: {message}", file=sys.stderr, flush=True)


class ApiError(Exception):
    """An error answer in Zulip's format: {"result": "error", "msg", "code", ...data}."""

    def __init__(self, status, msg, code="BAD_REQUEST", headers=None, **data):
        super().__init__(msg)
        self.status = status
        self.body = {"result": "error", "msg": msg, "code": code, **data}
        self.headers = headers or {}


class Queue:
    """One event queue (ClientDescriptor + EventQueue of event_queue.py)."""

    def __init__(self, queue_id, user_id, event_types, apply_markdown, timeout, now):
        self.id = queue_id
        self.user_id = user_id
        self.event_types = event_types
        self.apply_markdown = apply_markdown
        self.timeout = timeout
        self.last_connection_time = now
        self.events = deque()
        self.next_event_id = 0
        self.newest_pruned_id = -1
        self.handler = None  # the token of the connected GET /events, if any

    def push(self, event):
        event = dict(event, id=self.next_event_id)
        self.next_event_id += 1
        self.events.append(event)

    def prune(self, through_id):
        while self.events and self.events[0]["id"] <= through_id:
            self.newest_pruned_id = self.events.popleft()["id"]

    def accepts(self, event_type):
        return self.event_types is None or event_type in self.event_types

    def expired(self, now):
        return self.handler is None and now - self.last_connection_time >= self.timeout

    def to_dict(self):
        return {"id": self.id, "user_id": self.user_id, "event_types": self.event_types,
                "apply_markdown": self.apply_markdown, "timeout": self.timeout,
                "last_connection_time": self.last_connection_time, "events": list(self.events),
                "next_event_id": self.next_event_id, "newest_pruned_id": self.newest_pruned_id}

    @classmethod
    def from_dict(cls, d):
        q = cls(d["id"], d["user_id"], d["event_types"], d["apply_markdown"], d["timeout"],
                d["last_connection_time"])
        q.events = deque(d["events"])
        q.next_event_id = d["next_event_id"]
        q.newest_pruned_id = d["newest_pruned_id"]
        return q


def new_api_key():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


class Realm:
    """Everything the server knows, guarded by one condition variable."""

    def __init__(self, heartbeat_seconds):
        self.cond = threading.Condition()
        self.heartbeat_seconds = heartbeat_seconds
        self.clock_offset = 0.0
        self.users = {}
        self.streams = {}
        self.messages = []
        self.queues = {}
        self.violations = []
        self.requests = []
        self.faults = []
        self.rate_rules = DEFAULT_RATE_LIMIT
        self.rate_history = {}
        self.cut_generation = 0
        self.is_cut = False
        self.seed()

    def now(self):
        return time.time() + self.clock_offset

    def seed(self):
        people = [(8, "ringbot-bot@zulip.example", "RingBot", True),
                  (10, "alice@zulip.example", "Alice Doe", False),
                  (11, "bob@zulip.example", "Bob Roe", False)]
        for uid, email, name, is_bot in people:
            self.users[uid] = {"user_id": uid, "email": email, "full_name": name,
                               "api_key": new_api_key(), "is_bot": is_bot}
        self.streams = {1: {"stream_id": 1, "name": "support", "subscribers": [8, 10, 11]},
                        2: {"stream_id": 2, "name": "general", "subscribers": [8, 10, 11]}}

    def to_dict(self):
        return {"clock_offset": self.clock_offset, "users": list(self.users.values()),
                "streams": list(self.streams.values()), "messages": self.messages,
                "queues": [q.to_dict() for q in self.queues.values()], "rate_rules": self.rate_rules}

    def load(self, d):
        self.clock_offset = d["clock_offset"]
        self.users = {u["user_id"]: u for u in d["users"]}
        self.streams = {s["stream_id"]: s for s in d["streams"]}
        self.messages = d["messages"]
        self.queues = {q["id"]: Queue.from_dict(q) for q in d["queues"]}
        self.rate_rules = d["rate_rules"]

    # -- users and authentication --

    def user_by_email(self, email):
        for user in self.users.values():
            if user["email"].lower() == str(email).lower():
                return user
        return None

    def authenticate(self, header):
        if not header or not header.startswith("Basic "):
            raise ApiError(401, "Not logged in: API authentication or user session required",
                           code="UNAUTHORIZED", headers={"WWW-Authenticate": 'Basic realm="zulip"'})
        try:
            email, _, key = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(401, "Invalid authorization header for basic auth", code="UNAUTHORIZED",
                           headers={"WWW-Authenticate": 'Basic realm="zulip"'})
        user = self.user_by_email(email)
        if user is None or not secrets.compare_digest(user["api_key"], key):
            raise ApiError(401, "Invalid API key", code="INVALID_API_KEY",
                           headers={"WWW-Authenticate": 'Basic realm="zulip"'})
        return user

    def check_rate_limit(self, user):
        """Sliding windows per user, as RedisRateLimiterBackend; raises 429 with secs_to_freedom."""
        history = self.rate_history.setdefault(user["user_id"], deque())
        now = time.time()
        longest = max(seconds for seconds, _ in self.rate_rules)
        while history and now - history[0] > longest:
            history.popleft()
        for seconds, limit in self.rate_rules:
            recent = [t for t in history if now - t < seconds]
            if len(recent) >= limit:
                secs_to_freedom = seconds - (now - recent[len(recent) - limit])
                raise rate_limited(secs_to_freedom)
        history.append(now)

    def take_fault(self, method, path):
        for fault in self.faults:
            if fault["count"] > 0 and fault.get("method", method) == method and path.startswith(fault.get("path", "")):
                fault["count"] -= 1
                return fault
        return None

    # -- messages --

    def can_see(self, user_id, message):
        if message["type"] == "private":
            return user_id in message["recipients"]
        return user_id in self.streams[message["stream_id"]]["subscribers"]

    def flags(self, user_id, message):
        if message["sender_id"] == user_id:
            return ["read"]
        flags = []
        name = re.escape(self.users[user_id]["full_name"])
        if re.search(r"(?<![^\s'\"(,:<])@\*\*" + name + r"(\|" + str(user_id) + r")?\*\*", message["content"]):
            flags.append("mentioned")
        return flags

    def render(self, message, apply_markdown):
        """A message as the API shows it (MessageDict), content as Markdown or simple HTML."""
        sender = self.users[message["sender_id"]]
        out = {
            "id": message["id"], "sender_id": sender["user_id"], "sender_email": sender["email"],
            "sender_full_name": sender["full_name"], "sender_realm_str": "zulip",
            "timestamp": int(message["timestamp"]), "client": message["client"], "is_me_message": False,
            "reactions": [], "submessages": [], "topic_links": [],
            "avatar_url": None, "recipient_id": message["recipient_id"],
            "content_type": "text/html" if apply_markdown else "text/x-markdown",
            "content": render_html(message["content"], self) if apply_markdown else message["content"],
        }
        if message["type"] == "stream":
            out.update(type="stream", stream_id=message["stream_id"], subject=message["topic"],
                       display_recipient=self.streams[message["stream_id"]]["name"])
        else:
            out.update(type="private", subject="", display_recipient=[
                {"id": uid, "email": self.users[uid]["email"], "full_name": self.users[uid]["full_name"],
                 "is_mirror_dummy": False} for uid in sorted(message["recipients"])])
        return out

    def add_message(self, sender, kind, stream_id=None, topic=None, recipients=None, content="", client="API"):
        """Stores a message and queues a message event for every queue that may see it."""
        content = content.strip()
        if len(content.encode()) > MAX_MESSAGE_LENGTH:
            content = truncate(content, MAX_MESSAGE_LENGTH, "\n[message truncated]")
        message = {"id": (self.messages[-1]["id"] + 1) if self.messages else 100,
                   "sender_id": sender["user_id"], "type": kind, "content": content,
                   "timestamp": self.now(), "client": client}
        if kind == "stream":
            message.update(stream_id=stream_id, topic=topic, recipient_id=1000 + stream_id)
        else:
            participants = sorted(set(recipients) | {sender["user_id"]})
            message.update(recipients=participants, recipient_id=2000 + sum(participants))
        self.messages.append(message)
        for queue in self.queues.values():
            if queue.accepts("message") and self.can_see(queue.user_id, message):
                queue.push({"type": "message", "message": self.render(message, queue.apply_markdown),
                            "flags": self.flags(queue.user_id, message)})
        self.cond.notify_all()
        return message

    def resolve_stream(self, value):
        for stream in self.streams.values():
            if stream["name"] == value or str(stream["stream_id"]) == str(value):
                return stream
        return None

    def resolve_users(self, value):
        """User ids from a list of ids or emails, or a comma-separated string of emails."""
        items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
        ids = []
        for item in items:
            user = self.users.get(item) if isinstance(item, int) else self.user_by_email(str(item).strip())
            if user is None:
                raise ApiError(400, f"Invalid email '{item}'" if not isinstance(item, int) else f"Invalid user ID {item}")
            ids.append(user["user_id"])
        return ids

    # -- queues --

    def gc(self):
        now = self.now()
        for qid in [qid for qid, q in self.queues.items() if q.expired(now)]:
            log(f"garbage-collected idle event queue {qid}")
            del self.queues[qid]


def truncate(content, max_length, suffix):
    data = content.encode()
    keep = max_length - len(suffix.encode())
    return data[:keep].decode(errors="ignore") + suffix


def rate_limited(secs_to_freedom):
    return ApiError(429, "API usage exceeded rate limit", code="RATE_LIMIT_HIT",
                    headers={"Retry-After": str(secs_to_freedom)}, **{"retry-after": secs_to_freedom})


def render_html(content, realm):
    """A small stand-in for Zulip's Markdown processor: paragraphs, escaped text, mentions."""
    def mention(match):
        name = match.group(2)
        user = next((u for u in realm.users.values() if u["full_name"] == name), None)
        if user is None:
            return html.escape(match.group(0))
        cls = "user-mention silent" if match.group(1) else "user-mention"
        return f'<span class="{cls}" data-user-id="{user["user_id"]}">@{html.escape(name)}</span>'
    paragraphs = []
    for block in re.split(r"\n\s*\n", content):
        escaped = html.escape(block)
        escaped = re.sub(r"@(_?)\*\*([^*|]+)(?:\|\d+)?\*\*", mention, escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    return "\n".join(paragraphs)


def bad_event_queue_id(queue_id):
    return ApiError(400, f"Bad event queue ID: {queue_id}", code="BAD_EVENT_QUEUE_ID", queue_id=queue_id)


class Api:
    """The REST endpoints; each takes (realm, user, params) and returns a JSON-able dict."""

    def __init__(self, realm):
        self.realm = realm

    def own_user(self, user, p):
        return {"user_id": user["user_id"], "email": user["email"], "delivery_email": user["email"],
                "full_name": user["full_name"], "is_bot": user["is_bot"], "is_active": True,
                "is_admin": False, "is_owner": False, "is_guest": False, "role": 400, "timezone": "",
                "date_joined": "2026-01-01T00:00:00+00:00", "avatar_url": None, "avatar_version": 1,
                "profile_data": {}}

    def register(self, user, p):
        realm = self.realm
        event_types = p.get("event_types")
        lifespan = p.get("idle_queue_timeout", 0) or DEFAULT_EVENT_QUEUE_TIMEOUT_SECS
        queue = Queue(str(uuid.uuid4()), user["user_id"], event_types, p.get("apply_markdown", False),
                      min(lifespan, MAX_QUEUE_TIMEOUT_SECS), realm.now())
        realm.queues[queue.id] = queue
        response = {"queue_id": queue.id, "last_event_id": -1, "zulip_version": ZULIP_VERSION,
                    "zulip_feature_level": ZULIP_FEATURE_LEVEL, "zulip_merge_base": ZULIP_VERSION,
                    "event_queue_longpoll_timeout_seconds": EVENT_QUEUE_LONGPOLL_TIMEOUT_SECONDS}
        fetch = p.get("fetch_event_types", event_types)
        if fetch is None or "message" in fetch:
            visible = [m["id"] for m in realm.messages if realm.can_see(user["user_id"], m)]
            response["max_message_id"] = max(visible, default=-1)
        return response

    def delete_queue(self, user, p):
        queue = self.realm.queues.get(p["queue_id"])
        if queue is None or queue.user_id != user["user_id"]:
            raise bad_event_queue_id(p["queue_id"])
        del self.realm.queues[queue.id]
        self.realm.cond.notify_all()
        return {}

    def get_messages(self, user, p):
        realm = self.realm
        num_before, num_after = p["num_before"], p["num_after"]
        if num_before + num_after > MAX_MESSAGES_PER_FETCH:
            raise ApiError(400, f"Too many messages requested (maximum {MAX_MESSAGES_PER_FETCH}).")
        predicate = self.narrow_predicate(user, p.get("narrow", []))
        visible = [m for m in realm.messages if realm.can_see(user["user_id"], m) and predicate(m)]
        ids = [m["id"] for m in visible]
        anchor = p.get("anchor", "newest" if "anchor" not in p else None)
        if anchor == "newest":
            anchor_id = 10 ** 16
        elif anchor == "oldest":
            anchor_id = 0
        elif anchor == "first_unread":
            anchor_id = 10 ** 16
        elif isinstance(anchor, int):
            anchor_id = anchor
        else:
            raise ApiError(400, "Invalid anchor")
        include_anchor = p.get("include_anchor", True)
        before = [m for m in visible if m["id"] < anchor_id]
        after = [m for m in visible if m["id"] > anchor_id]
        at = [m for m in visible if m["id"] == anchor_id]
        chosen = before[len(before) - num_before:] if num_before else []
        if include_anchor:
            chosen += at
        chosen += after[:num_after]
        apply_markdown = p.get("apply_markdown", True)
        messages = []
        for m in chosen:
            rendered = realm.render(m, apply_markdown)
            rendered["flags"] = realm.flags(user["user_id"], m)
            messages.append(rendered)
        return {"messages": messages, "anchor": anchor_id if anchor_id < 10 ** 16 else max(ids, default=anchor_id),
                "found_anchor": bool(at), "found_oldest": len(before) <= num_before,
                "found_newest": len(after) <= num_after, "history_limited": False}

    def narrow_predicate(self, user, narrow):
        realm = self.realm
        terms = []
        for term in narrow:
            if isinstance(term, list):
                term = {"operator": term[0], "operand": term[1]}
            terms.append(term)

        def matches(term, m):
            op, operand = term["operator"], term["operand"]
            if op in ("channel", "stream"):
                stream = realm.resolve_stream(operand)
                if stream is None:
                    raise ApiError(400, "Invalid narrow operator: unknown channel", code="BAD_NARROW")
                return m["type"] == "stream" and m["stream_id"] == stream["stream_id"]
            if op == "topic":
                return m["type"] == "stream" and m["topic"].lower() == str(operand).lower()
            if op in ("dm", "pm-with"):
                others = set(realm.resolve_users(operand)) - {user["user_id"]}
                return m["type"] == "private" and set(m["recipients"]) - {user["user_id"]} == others
            if op == "is" and operand in ("dm", "private"):
                return m["type"] == "private"
            if op == "is" and operand == "mentioned":
                return "mentioned" in realm.flags(user["user_id"], m)
            if op == "sender":
                sender = realm.resolve_users([operand])[0]
                return m["sender_id"] == sender
            raise ApiError(400, "Invalid narrow operator: unknown operator", code="BAD_NARROW")

        def predicate(m):
            return all(matches(t, m) != bool(t.get("negated", False)) for t in terms)
        return predicate

    def send_message(self, user, p):
        realm = self.realm
        kind = p["type"]
        content = p["content"]
        if not content.strip():
            raise ApiError(400, "Message must not be empty")
        if kind in ("stream", "channel"):
            target = p["to"]
            try:
                decoded = json.loads(target)
                if isinstance(decoded, list) and len(decoded) == 1:
                    decoded = decoded[0]
                target = decoded
            except (ValueError, TypeError):
                pass
            stream = realm.resolve_stream(target)
            if stream is None:
                raise ApiError(400, f"Channel '{target}' does not exist", code="STREAM_DOES_NOT_EXIST", stream=str(target))
            if "topic" not in p:
                raise ApiError(400, "Missing 'topic' argument", code="REQUEST_VARIABLE_MISSING", var_name="topic")
            topic = p["topic"].strip()
            if len(topic) > MAX_TOPIC_NAME_LENGTH:
                topic = topic[:MAX_TOPIC_NAME_LENGTH - 3] + "..."
            message = realm.add_message(user, "stream", stream_id=stream["stream_id"], topic=topic, content=content)
        else:
            if "topic" in p:
                raise ApiError(400, "Invalid argument: topic is not allowed for direct messages")
            target = p["to"]
            try:
                target = json.loads(target)
            except (ValueError, TypeError):
                pass
            recipients = realm.resolve_users(target if isinstance(target, list) else str(target))
            if not recipients:
                raise ApiError(400, "Message must have recipients")
            message = realm.add_message(user, "private", recipients=recipients, content=content)
        return {"id": message["id"]}

    def get_events(self, user, p, handler):
        """fetch_events of event_queue.py, with the long-poll done on the handler's thread."""
        realm = self.realm
        queue_id = p.get("queue_id")
        if queue_id is None:
            raise ApiError(400, "Missing 'queue_id' argument")
        if "last_event_id" not in p:
            raise ApiError(400, "Missing 'last_event_id' argument")
        last_event_id = p["last_event_id"]
        queue = realm.queues.get(queue_id)
        if queue is None or queue.user_id != user["user_id"]:
            raise bad_event_queue_id(queue_id)
        if last_event_id < queue.newest_pruned_id:
            raise ApiError(400, f"An event newer than {last_event_id} has already been pruned!")
        queue.prune(last_event_id)
        if last_event_id != queue.newest_pruned_id:
            raise ApiError(400, f"Event {last_event_id} was not in this queue")
        token = object()
        queue.handler = token
        queue.last_connection_time = realm.now()
        realm.cond.notify_all()  # finishes a previous request for this queue
        if queue.events or p.get("dont_block", False):
            queue.handler = None
            return {"events": list(queue.events)}
        generation = realm.cut_generation
        interval = realm.heartbeat_seconds
        deadline = time.monotonic() + interval
        try:
            while True:
                if realm.queues.get(queue_id) is not queue:
                    raise bad_event_queue_id(queue_id)
                if queue.handler is not token:
                    return {"events": list(queue.events)}
                if queue.events:
                    return {"events": list(queue.events)}
                if realm.cut_generation != generation:
                    raise ConnectionAbortedError("network cut")
                if handler.client_gone():
                    raise ConnectionAbortedError("client closed the connection")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    queue.push({"type": "heartbeat"})
                    return {"events": list(queue.events)}
                realm.cond.wait(min(remaining, 0.2))
        finally:
            if queue.handler is token:
                queue.handler = None


ROUTES = {
    ("GET", "/users/me"): "own_user",
    ("POST", "/register"): "register",
    ("GET", "/events"): "get_events",
    ("DELETE", "/events"): "delete_queue",
    ("GET", "/messages"): "get_messages",
    ("POST", "/messages"): "send_message",
}


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def client_gone(self):
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def do_GET(self):
        self.handle_api("GET")

    def do_POST(self):
        self.handle_api("POST")

    def do_DELETE(self):
        self.handle_api("DELETE")

    def handle_api(self, method):
        server = self.server
        realm, api, validator = server.realm, server.api, server.validator
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
        user_email = None
        status = 200
        try:
            if not url.path.startswith("/api/v1/"):
                raise Violation(f"{method} {url.path}: not under /api/v1")
            path = url.path[len("/api/v1"):]
            pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            if method != "GET":
                pairs += urllib.parse.parse_qsl(body, keep_blank_values=True)
            values = {}
            for name, value in pairs:
                if name in values:
                    raise Violation(f"{method} {url.path}: parameter `{name}` given twice")
                values[name] = value
            params = validator.check(method, path, values)
            if path == "/server_settings":
                result = {"zulip_version": ZULIP_VERSION, "zulip_feature_level": ZULIP_FEATURE_LEVEL,
                          "zulip_merge_base": ZULIP_VERSION, "push_notifications_enabled": False,
                          "authentication_methods": {"password": True}, "realm_uri": server.base_url,
                          "realm_url": server.base_url, "realm_name": "RingBot test"}
                self.reply(200, {"result": "success", "msg": "", **result})
                return
            with realm.cond:
                user = realm.authenticate(self.headers.get("Authorization"))
                user_email = user["email"]
                fault = realm.take_fault(method, path)
                if fault is not None:
                    status = fault["status"]
                    if status == 429:
                        raise rate_limited(fault.get("retry_after", 1.5))
                    self.reply_raw(status, b"<html><body><h1>" + str(status).encode() + b" Bad Gateway</h1></body></html>",
                                   "text/html")
                    return
                realm.check_rate_limit(user)
                name = ROUTES[(method, path)]
                if name == "get_events":
                    result = api.get_events(user, params, self)
                else:
                    result = getattr(api, name)(user, params)
            self.reply(200, {"result": "success", "msg": "", **result})
        except Violation as v:
            status = 400
            realm.violations.append(str(v))
            log(f"OPENAPI VIOLATION: {v}")
            self.reply(400, {"result": "error", "msg": f"fake Zulip: {v}", "code": "BAD_REQUEST"})
        except ApiError as e:
            status = e.status
            self.reply(e.status, e.body, e.headers)
        except ConnectionAbortedError:
            status = 0
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        finally:
            with realm.cond:
                realm.requests.append({"method": method, "path": url.path, "status": status, "user": user_email})

    def reply(self, status, body, headers=None):
        self.reply_raw(status, json.dumps(body).encode(), "application/json", headers)

    def reply_raw(self, status, data, content_type, headers=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Stopping must not wait for idle keep-alive connections (Zulip's Python client keeps them).
    block_on_close = False

    def __init__(self, address, context, realm, api, validator, base_url):
        self.context, self.realm, self.api, self.validator, self.base_url = context, realm, api, validator, base_url
        super().__init__(address, ApiHandler)

    def finish_request(self, request, client_address):
        # The TLS handshake on the request's own thread, so a slow client never blocks accept().
        request.settimeout(30)
        # Headers and body are written separately: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer (nginx in front of Zulip sets it too).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        tls.settimeout(IDLE_CONNECTION_SECONDS)
        try:
            ApiHandler(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_control("GET")

    def do_POST(self):
        self.handle_control("POST")

    def handle_control(self, method):
        fake = self.server.fake
        realm = fake.realm
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply(400, {"error": "the body is not JSON"})
        try:
            with realm.cond:
                result = fake.control(method, url.path, query, body)
            self.reply(200, result)
        except ApiError as e:
            self.reply(e.status, {"error": e.body["msg"]})
        except (KeyError, TypeError, ValueError) as e:
            self.reply(400, {"error": f"bad control request: {e!r}", "help": CONTROL_HELP})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeZulip:
    """The API listener, the control listener, the state folder and the realm."""

    def __init__(self, state_dir, heartbeat_seconds):
        self.state_dir = state_dir
        self.realm = Realm(heartbeat_seconds)
        self.validator = Validator()
        self.api = Api(self.realm)
        self.state_path = os.path.join(state_dir, "state.json")
        saved = None
        if os.path.exists(self.state_path):
            with open(self.state_path, encoding="utf-8") as f:
                saved = json.load(f)
            self.realm.load(saved["realm"])
        self.cert, self.key = make_certificate(state_dir)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.cert, self.key)
        self.api_port = saved["api_port"] if saved else 0
        self.api_server = None
        self.start_api()
        self.control_server = ThreadingHTTPServer(("127.0.0.1", saved["control_port"] if saved else 0), ControlHandler)
        self.control_server.daemon_threads = True
        self.control_server.block_on_close = False
        self.control_server.fake = self
        threading.Thread(target=self.control_server.serve_forever, daemon=True).start()
        threading.Thread(target=self.collect_garbage, daemon=True).start()

    @property
    def base_url(self):
        return f"https://127.0.0.1:{self.api_port}"

    def start_api(self):
        self.api_server = TLSServer(("127.0.0.1", self.api_port), self.context, self.realm, self.api,
                                    self.validator, f"https://127.0.0.1:{self.api_port}")
        self.api_port = self.api_server.server_address[1]
        self.api_server.base_url = self.base_url
        threading.Thread(target=self.api_server.serve_forever, daemon=True).start()

    def stop_api(self):
        server, self.api_server = self.api_server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def collect_garbage(self):
        while True:
            time.sleep(1)
            with self.realm.cond:
                self.realm.gc()

    def write_ready(self):
        ready = {"base_url": self.base_url, "api_port": self.api_port,
                 "control_url": f"http://127.0.0.1:{self.control_server.server_address[1]}",
                 "ca_file": self.cert, "pid": os.getpid(),
                 "users": [{k: u[k] for k in ("user_id", "email", "full_name", "api_key", "is_bot")}
                           for u in self.realm.users.values()]}
        temporary = os.path.join(self.state_dir, "ready.json.tmp")
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(ready, f)
        os.replace(temporary, os.path.join(self.state_dir, "ready.json"))

    def save(self):
        with self.realm.cond:
            state = {"realm": self.realm.to_dict(), "api_port": self.api_port,
                     "control_port": self.control_server.server_address[1]}
        temporary = self.state_path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(state, f)
        os.replace(temporary, self.state_path)

    def control(self, method, path, query, body):
        realm = self.realm
        if (method, path) == ("GET", "/control/state"):
            return {"clock": realm.now(), "users": list(realm.users.values()),
                    "streams": list(realm.streams.values()),
                    "queues": [{"id": q.id, "user_id": q.user_id, "timeout": q.timeout,
                                "connected": q.handler is not None, "pending": len(q.events),
                                "event_types": q.event_types} for q in realm.queues.values()]}
        if (method, path) == ("POST", "/control/send"):
            sender = realm.user_by_email(body["sender"])
            if sender is None:
                raise ApiError(400, f"no user {body['sender']}")
            if body["type"] == "stream":
                stream = realm.resolve_stream(body["to"])
                message = realm.add_message(sender, "stream", stream_id=stream["stream_id"], topic=body["topic"],
                                            content=body["content"], client="website")
            else:
                message = realm.add_message(sender, "private", recipients=realm.resolve_users(body["to"]),
                                            content=body["content"], client="website")
            return {"id": message["id"]}
        if (method, path) == ("GET", "/control/messages"):
            sender = query.get("sender")
            out = []
            for m in realm.messages:
                if sender and realm.users[m["sender_id"]]["email"] != sender:
                    continue
                out.append(realm.render(m, False))
            return {"messages": out}
        if (method, path) == ("POST", "/control/advance"):
            realm.clock_offset += float(body["seconds"])
            realm.gc()
            return {"clock": realm.now()}
        if (method, path) == ("POST", "/control/expire_queues"):
            user = realm.user_by_email(body["user"]) if body.get("user") else None
            doomed = [qid for qid, q in realm.queues.items() if user is None or q.user_id == user["user_id"]]
            for qid in doomed:
                del realm.queues[qid]
            realm.cond.notify_all()
            return {"expired": doomed}
        if (method, path) == ("POST", "/control/cut"):
            realm.is_cut = True
            realm.cut_generation += 1
            realm.cond.notify_all()
            realm.cond.release()
            try:
                self.stop_api()
            finally:
                realm.cond.acquire()
            return {}
        if (method, path) == ("POST", "/control/restore"):
            if realm.is_cut:
                realm.is_cut = False
                self.start_api()
            return {}
        if (method, path) == ("POST", "/control/fail"):
            realm.faults.append({"method": body.get("method"), "path": body.get("path", ""),
                                 "status": int(body["status"]), "count": int(body.get("count", 1)),
                                 "retry_after": float(body.get("retry_after", 1.5))})
            realm.faults = [f for f in realm.faults if f["count"] > 0]
            for fault in realm.faults:
                if fault["method"] is None:
                    del fault["method"]
            return {}
        if (method, path) == ("POST", "/control/rate_limit"):
            realm.rate_rules = [[float(s), int(n)] for s, n in body["rules"]]
            realm.rate_history.clear()
            return {}
        if (method, path) == ("POST", "/control/rotate_key"):
            user = realm.user_by_email(body["user"])
            user["api_key"] = new_api_key()
            self.write_ready()
            return {"api_key": user["api_key"]}
        if (method, path) == ("GET", "/control/violations"):
            return {"violations": realm.violations}
        if (method, path) == ("GET", "/control/requests"):
            return {"requests": realm.requests}
        raise ApiError(404, f"no control endpoint {method} {path}\n{CONTROL_HELP}")


def make_certificate(state_dir):
    """A self-signed certificate for 127.0.0.1 and localhost, made once per state folder."""
    cert = os.path.join(state_dir, "cert.pem")
    key = os.path.join(state_dir, "key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        result = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
             "-days", "3", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-addext", "basicConstraints=critical,CA:TRUE"],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"error: openssl could not make a certificate: {result.stderr.strip()}")
    return cert, key


def serve(args):
    os.makedirs(args.state_dir, exist_ok=True)
    fake = FakeZulip(args.state_dir, args.heartbeat_seconds)
    stop = threading.Event()

    def on_term(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    # A parent may have blocked these (test runners do), and children inherit the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    fake.write_ready()
    log(f"listening on {fake.base_url} (control {fake.control_server.server_address[1]})")
    while not stop.wait(0.2):
        pass
    # Like Tornado's dump_event_queues on shutdown: queues and messages survive a restart.
    with fake.realm.cond:
        fake.realm.cut_generation += 1
        fake.realm.cond.notify_all()
    fake.save()
    fake.stop_api()
    try:
        os.remove(os.path.join(args.state_dir, "ready.json"))
    except OSError:
        pass
    log("stopped; state saved")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the fake server until SIGTERM")
    s.add_argument("--state-dir", required=True)
    s.add_argument("--heartbeat-seconds", type=float, default=None,
                   help="long-poll heartbeat interval (default: 45 + random 0..10 s, as the real server)")
    args = parser.parse_args()
    if args.heartbeat_seconds is None:
        args.heartbeat_seconds = 45 + random.randint(0, 10)
    serve(args)


if __name__ == "__main__":
    main()

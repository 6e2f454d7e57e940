#!/usr/bin/env python3
"""Drives the fake Zulip server with Zulip's own Python client (`zulip` on PyPI), so the fake is
checked against code its authors did not write: every request the official client makes must
pass the fake's OpenAPI check, and every answer must be one the official client understands.

Run with the virtualenv that has `zulip` installed (Tests/Support/install-zulip-client.sh):

  $RINGBOT_ZULIP_VENV/bin/python Tests/Support/zulip/check_with_client.py

Prints one line per check and exits 1 at the first failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import zulip

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, what, detail=None):
    if not condition:
        fail(f"{what}" + (f": {detail}" if detail is not None else ""))
    print(f"ok: {what}")


class Fake:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ringbot-fake-zulip-check-")
        self.log = open(os.path.join(self.dir, "fake-zulip.log"), "w")
        # The server's output goes to a file, so a caller reading this script's output to its end
        # is never kept waiting by the server.
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_zulip.py"), "serve",
                                         "--state-dir", self.dir, "--heartbeat-seconds", "1"],
                                        stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        ready = os.path.join(self.dir, "ready.json")
        deadline = time.time() + 60
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                self.process.kill()
                fail(f"the fake server did not start (log: {self.log.name})")
            time.sleep(0.05)
        with open(ready) as f:
            self.info = json.load(f)

    def user(self, email_prefix):
        return next(u for u in self.info["users"] if u["email"].startswith(email_prefix))

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.info["control_url"] + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(request) as response:
            return json.load(response)

    def client(self, email_prefix, api_key=None):
        user = self.user(email_prefix)
        return zulip.Client(email=user["email"], api_key=api_key or user["api_key"], site=self.info["base_url"],
                            cert_bundle=self.info["ca_file"], client="ringbot-fake-check")

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            fail("the fake server did not stop within 10 s of SIGTERM")
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    # requests lets these variables override a session's CA bundle (psf/requests#3829): the
    # client must trust the fake's certificate, as the bot does through its CA file.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(name, None)
    fake = Fake()
    try:
        run(fake)
    finally:
        fake.close()


def run(fake):
    bot_email = fake.user("ringbot")["email"]
    alice = fake.client("alice")
    bot = fake.client("ringbot")
    check(alice.zulip_version is not None, "the client reads GET /server_settings over TLS with the fake's CA")

    me = bot.get_profile()
    check(me["result"] == "success" and me["email"] == bot_email and me["full_name"] == "RingBot",
          "GET /users/me names the bot", me)

    registered = bot.register(["message"], apply_markdown=False, idle_queue_timeout=3600)
    check(registered["result"] == "success" and "queue_id" in registered and registered["last_event_id"] == -1,
          "POST /register gives a queue", registered)
    check("max_message_id" in registered, "register fetches max_message_id for message events", registered)
    queue_id = registered["queue_id"]

    sent = alice.send_message({"type": "direct", "to": [bot_email], "content": "How do I stop *ringing*?"})
    check(sent["result"] == "success" and isinstance(sent["id"], int), "a direct message is sent", sent)

    events = bot.get_events(queue_id=queue_id, last_event_id=-1)
    check(events["result"] == "success" and [e["type"] for e in events["events"]] == ["message"],
          "GET /events delivers the direct message", events)
    message = events["events"][0]["message"]
    check(message["content"] == "How do I stop *ringing*?" and message["type"] == "private"
          and message["content_type"] == "text/x-markdown",
          "the event holds the raw Markdown of a private message", message)
    last = events["events"][0]["id"]

    started = time.time()
    events = bot.get_events(queue_id=queue_id, last_event_id=last)
    check([e["type"] for e in events["events"]] == ["heartbeat"] and time.time() - started >= 0.5,
          "an idle long-poll ends with a heartbeat", events)
    last = events["events"][-1]["id"]

    alice.send_message({"type": "stream", "to": "support", "topic": "calls", "content": "@**RingBot** why only ringing?"})
    alice.send_message({"type": "stream", "to": "support", "topic": "calls", "content": "thanks all"})
    events = bot.get_events(queue_id=queue_id, last_event_id=last)
    flags = [e["flags"] for e in events["events"]]
    check(flags == [["mentioned"], []], "a mention sets the `mentioned` flag, other stream messages do not", events)
    last = events["events"][-1]["id"]

    pruned = bot.get_events(queue_id=queue_id, last_event_id=last - 5)
    check(pruned["result"] == "error" and "already been pruned" in pruned["msg"],
          "asking again for pruned events is refused", pruned)

    reply = bot.send_message({"type": "stream", "to": "support", "topic": "calls", "content": "Here is why."})
    check(reply["result"] == "success", "the bot replies in the topic", reply)
    history = bot.get_messages({"anchor": "newest", "num_before": 10, "num_after": 0, "apply_markdown": False,
                                "narrow": [{"operator": "channel", "operand": "support"},
                                           {"operator": "topic", "operand": "calls"}]})
    check(history["result"] == "success" and [m["content"] for m in history["messages"]]
          == ["@**RingBot** why only ringing?", "thanks all", "Here is why."],
          "GET /messages with a channel + topic narrow reads the topic back", history)
    after = bot.get_messages({"anchor": sent["id"], "include_anchor": False, "num_before": 0, "num_after": 100,
                              "apply_markdown": False})
    check([m["id"] for m in after["messages"]] == [m["id"] for m in history["messages"]],
          "GET /messages after an anchor lists the later messages", after)
    dms = bot.get_messages({"anchor": "newest", "num_before": 5, "num_after": 0,
                            "narrow": [{"operator": "dm", "operand": [fake.user("alice")["user_id"]]}]})
    check([m["id"] for m in dms["messages"]] == [sent["id"]], "a dm narrow finds the conversation", dms)

    fake.control("/control/advance", {"seconds": 3601})
    gone = bot.get_events(queue_id=queue_id, last_event_id=last)
    check(gone["result"] == "error" and gone.get("code") == "BAD_EVENT_QUEUE_ID" and gone.get("queue_id") == queue_id,
          "an idle queue expires on the server clock: BAD_EVENT_QUEUE_ID", gone)

    fake.control("/control/rate_limit", {"rules": [[60, 2]]})
    answers = [bot.get_messages({"anchor": "newest", "num_before": 1, "num_after": 0}) for _ in range(3)]
    limited = answers[-1]
    check(limited.get("code") == "RATE_LIMIT_HIT" and isinstance(limited.get("retry-after"), float),
          "the rate limit answers RATE_LIMIT_HIT with a retry-after", limited)
    fake.control("/control/rate_limit", {"rules": [[60, 200]]})

    wrong = fake.client("ringbot", api_key="x" * 32)
    refused = wrong.get_messages({"anchor": "newest", "num_before": 1, "num_after": 0})
    check(refused.get("code") == "INVALID_API_KEY", "a wrong API key is refused with INVALID_API_KEY", refused)

    violations = fake.control("/control/violations")["violations"]
    check(violations == [], "the official client's requests all match the published API", violations)

    # The check itself can fail: a parameter the API does not have is refused and recorded.
    bogus = bot.call_endpoint(url="messages", method="GET",
                              request={"anchor": "newest", "num_before": 1, "num_after": 0, "bogus_parameter": 1})
    violations = fake.control("/control/violations")["violations"]
    check(bogus["result"] == "error" and len(violations) == 1 and "unknown parameter `bogus_parameter`" in violations[0],
          "a request outside the published API is refused and recorded", (bogus, violations))


if __name__ == "__main__":
    main()

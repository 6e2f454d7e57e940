#!/usr/bin/env python3
"""End-to-end Zulip figures for `make bench`: the fake Zulip server, the given `ringbot`
binary, and a user who asks questions through Zulip's REST API over HTTPS.

  zulip-bench.py --ringbot PATH [--knowledge DIR] [--data FILE.tsv] [--questions N]

Prints three blocks:
  sequential  one question at a time: POST /messages -> the bot's reply seen in the user's
              own event queue (p50, p95, max)
  burst       N questions sent back to back: per-question latency and the sustained rate
  baseline    the fake server's own round trip: the user sends a direct message to herself
              and waits for it in her event queue, i.e. the floor under the bot's figures
The fake's rate limit is lifted for the run (real servers allow 200 requests a minute).
Standard library only (system python3).
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


class User:
    """A Zulip API client with one kept-alive HTTPS connection and its own event queue."""

    def __init__(self, info, who):
        user = next(u for u in info["users"] if u["email"].startswith(who))
        self.email = user["email"]
        self.auth = "Basic " + base64.b64encode(f"{user['email']}:{user['api_key']}".encode()).decode()
        url = urllib.parse.urlsplit(info["base_url"])
        context = ssl.create_default_context(cafile=info["ca_file"])
        self.conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=120)
        self.queue_id = None
        self.last_event_id = -1

    def call(self, method, path, params):
        body = urllib.parse.urlencode(params)
        headers = {"Authorization": self.auth}
        if method == "GET":
            path, body = f"{path}?{body}", None
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, "/api/v1" + path, body=body, headers=headers)
        answer = json.loads(self.conn.getresponse().read())
        if answer.get("result") != "success":
            sys.exit(f"zulip-bench: {method} {path} failed: {answer}")
        return answer

    def register(self):
        answer = self.call("POST", "/register", {"event_types": '["message"]', "apply_markdown": "false"})
        self.queue_id, self.last_event_id = answer["queue_id"], answer["last_event_id"]

    def send(self, to, content):
        return self.call("POST", "/messages", {"type": "direct", "to": json.dumps([to]), "content": content})["id"]

    def events(self):
        answer = self.call("GET", "/events", {"queue_id": self.queue_id, "last_event_id": self.last_event_id})
        for event in answer["events"]:
            self.last_event_id = max(self.last_event_id, event["id"])
        return [e["message"] for e in answer["events"] if e["type"] == "message"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def describe(name, latencies):
    ms = [value * 1000 for value in latencies]
    print(f"{name:<11} n={len(ms):<4} p50={percentile(ms, 0.5):7.1f} ms  p95={percentile(ms, 0.95):7.1f} ms  "
          f"max={max(ms):7.1f} ms  mean={statistics.mean(ms):7.1f} ms")


def load_questions(path, count):
    questions = []
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            next(f, None)
            for line in f:
                text = line.split("\t")[0].strip()
                if text:
                    questions.append(text)
    if not questions:
        questions = ["my whatsapp calls say calling instead of ringing", "why does it not ring", "am I blocked?"]
    return [questions[i % len(questions)] for i in range(count)]


def replied_ids(messages, bot_email):
    """Question id -> arrival time, for the bot's replies (their quote link ends in /near/<id>))."""
    out = {}
    for message in messages:
        if message["sender_email"] != bot_email:
            continue
        content = message["content"]
        marker = content.find("/near/")
        if marker >= 0:
            digits = content[marker + 6:].split(")", 1)[0]
            if digits.isdigit():
                out[int(digits)] = time.monotonic()
    return out


def control(info, path, body):
    request = urllib.request.Request(info["control_url"] + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ringbot", required=True)
    parser.add_argument("--knowledge", default=os.path.join(REPO, "Knowledge"))
    parser.add_argument("--data", default=os.path.join(REPO, "Tests", "Data", "dev.tsv"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) for a post-mortem")
    args = parser.parse_args()
    questions = load_questions(args.data, args.questions)

    work = tempfile.mkdtemp(prefix="ringbot-zulip-bench-")
    server_dir = os.path.join(work, "server")
    os.makedirs(server_dir)
    server_log = open(os.path.join(work, "fake-zulip.log"), "w")
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_zulip.py"), "serve", "--state-dir", server_dir],
                              stdin=subprocess.DEVNULL, stdout=server_log, stderr=server_log)
    bot = None
    try:
        ready = os.path.join(server_dir, "ready.json")
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"zulip-bench: the fake Zulip server did not start (log: {server_log.name})")
            time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        control(info, "/control/rate_limit", {"rules": [[60, 1000000]]})
        bot_user = next(u for u in info["users"] if u["email"].startswith("ringbot"))
        config = os.path.join(work, "ringbot.yaml")
        with open(config, "w") as f:
            f.write("flood: {max_messages: 0}\nfragment_wait_seconds: 0\n")
        env = dict(os.environ, RINGBOT_ZULIP_SITE=info["base_url"], RINGBOT_ZULIP_EMAIL=bot_user["email"],
                   RINGBOT_ZULIP_API_KEY=bot_user["api_key"], RINGBOT_ZULIP_CA_FILE=info["ca_file"],
                   RINGBOT_STATE_DIR=os.path.join(work, "state"))
        log = open(os.path.join(work, "ringbot.log"), "w+")
        bot = subprocess.Popen([args.ringbot, "zulip", "--knowledge", args.knowledge, "--config", config,
                                "--log-level", os.environ.get("RINGBOT_BENCH_LOG_LEVEL", "info")],
                               env=env, stderr=log, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while "ringbot.zulip: listening" not in open(log.name).read():
            if bot.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"zulip-bench: ringbot did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.05)

        alice = User(info, "alice")
        alice.register()
        bot_email = bot_user["email"]

        sequential = []
        for text in questions:
            started = time.monotonic()
            question = alice.send(bot_email, text)
            deadline = time.monotonic() + 60
            while question not in replied_ids(alice.events(), bot_email):
                if time.monotonic() > deadline:
                    sys.exit(f"zulip-bench: no reply to {question} ({text!r}) within 60 s")
            sequential.append(time.monotonic() - started)

        sent_at, seen = {}, {}
        sender = User(info, "alice")

        def send_all():
            for text in questions:
                question = sender.send(bot_email, text)
                sent_at[question] = time.monotonic()
        thread = threading.Thread(target=send_all)
        burst_start = time.monotonic()
        thread.start()
        deadline = time.monotonic() + 120
        while thread.is_alive() or len(seen) < len(sent_at):
            if time.monotonic() > deadline:
                sys.exit(f"zulip-bench: burst: {len(seen)} of {len(questions)} replies seen within 120 s")
            for question, when in replied_ids(alice.events(), bot_email).items():
                seen.setdefault(question, when)
        thread.join()
        burst_elapsed = max(seen[q] for q in sent_at) - burst_start
        burst = [seen[q] - sent_at[q] for q in sent_at]

        baseline = []
        for text in questions:
            started = time.monotonic()
            own = alice.send(alice.email, text)
            deadline = time.monotonic() + 60
            while not any(m["id"] == own for m in alice.events()):
                if time.monotonic() > deadline:
                    sys.exit(f"zulip-bench: baseline: {own} not seen in the event queue within 60 s")
            baseline.append(time.monotonic() - started)

        print(f"Zulip end to end: {len(questions)} questions, {args.ringbot} on the fake Zulip server at {info['base_url']}")
        describe("sequential", sequential)
        describe("burst", burst)
        print(f"{'':<11} sustained rate {len(questions) / burst_elapsed:.1f} replies/s "
              f"({burst_elapsed:.2f} s for {len(questions)})")
        describe("baseline", baseline)
        print(f"{'':<11} bot overhead over the fake server's round trip (p50): "
              f"{(percentile(sequential, 0.5) - percentile(baseline, 0.5)) * 1000:.1f} ms")
    finally:
        for process in (bot, server):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

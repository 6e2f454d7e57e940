#!/usr/bin/env python3
"""End-to-end Matrix figures for `make bench`: a throw-away Synapse, the given `ringbot`
binary, and a second user who asks questions.

  matrix-bench.py --ringbot PATH [--knowledge DIR] [--data FILE.tsv] [--questions N]

Prints three blocks:
  sequential  one question at a time: send -> bot's reply seen in /sync (p50, p95, max)
  burst       N questions sent back to back: per-question latency and the sustained
              reply rate (replies per second until the last reply is seen)
  baseline    Synapse's own round trip: the user sends to a room of its own and waits
              for the event in its /sync (p50, p95), i.e. the floor under the bot's figures
Needs the Synapse virtualenv ($RINGBOT_SYNAPSE_VENV, `make synapse`).
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "synapse-harness.py")
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def harness(*args):
    result = subprocess.run([sys.executable, HARNESS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"matrix-bench: harness {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


class Client:
    def __init__(self, port, user, password):
        self.port = port
        self.user_id = f"@{user}:localhost"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = None
        answer = self.call("POST", "/_matrix/client/v3/login", {
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": user}, "password": password})
        self.token = answer["access_token"]
        self.since = None

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        while True:
            self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = self.conn.getresponse()
            data = json.loads(response.read() or b"{}")
            if response.status == 429:
                time.sleep(data.get("retry_after_ms", 500) / 1000)
                continue
            if response.status >= 300:
                sys.exit(f"matrix-bench: {method} {path}: HTTP {response.status} {data}")
            return data

    def send(self, room, text):
        path = f"/_matrix/client/v3/rooms/{urllib.parse.quote(room, safe='')}/send/m.room.message/{uuid.uuid4().hex}"
        return self.call("PUT", path, {"msgtype": "m.text", "body": text})["event_id"]

    def sync(self, timeout_ms):
        query = {"timeout": str(timeout_ms),
                 "filter": json.dumps({"room": {"timeline": {"types": ["m.room.message"], "limit": 500}},
                                       "presence": {"types": []}, "account_data": {"types": []}})}
        self.since_was_set = self.since is not None
        if self.since:
            query["since"] = self.since
        answer = self.call("GET", "/_matrix/client/v3/sync?" + urllib.parse.urlencode(query))
        self.since = answer["next_batch"]
        events = []
        for room in answer.get("rooms", {}).get("join", {}).values():
            if room.get("timeline", {}).get("limited") and self.since_was_set:
                print("matrix-bench: warning: a cut (limited) sync timeline; figures may miss events", file=sys.stderr)
            events += room.get("timeline", {}).get("events", [])
        return events

    def membership(self, room, user):
        path = (f"/_matrix/client/v3/rooms/{urllib.parse.quote(room, safe='')}/state/m.room.member/"
                f"{urllib.parse.quote(user, safe='')}")
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {self.token}"})
        response = self.conn.getresponse()
        data = json.loads(response.read() or b"{}")
        return data.get("membership") if response.status == 200 else None


def replies_in(events, bot):
    out = {}
    for event in events:
        if event.get("sender") != bot:
            continue
        target = event.get("content", {}).get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
        if target:
            out[target] = time.monotonic()
    return out


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ringbot", required=True)
    parser.add_argument("--knowledge", default=os.path.join(REPO, "Knowledge"))
    parser.add_argument("--data", default=os.path.join(REPO, "Tests", "Data", "dev.tsv"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) for a post-mortem")
    args = parser.parse_args()
    questions = load_questions(args.data, args.questions)

    work = tempfile.mkdtemp(prefix="ringbot-bench-")
    data_dir = os.path.join(work, "synapse")
    bot = None
    try:
        port = int(harness("free-port"))
        harness("init", data_dir, str(port))
        base = harness("start", data_dir)
        harness("register", data_dir, "ringbot", "bench-bot-pw")
        harness("register", data_dir, "alice", "bench-alice-pw")
        config = os.path.join(work, "ringbot.yaml")
        with open(config, "w") as f:
            f.write("flood: {max_messages: 0}\n")
        env = dict(os.environ, RINGBOT_MATRIX_HOMESERVER=base, RINGBOT_MATRIX_USER="@ringbot:localhost",
                   RINGBOT_MATRIX_PASSWORD="bench-bot-pw", RINGBOT_STATE_DIR=os.path.join(work, "state"))
        log = open(os.path.join(work, "ringbot.log"), "w+")
        bot = subprocess.Popen([args.ringbot, "matrix", "--knowledge", args.knowledge, "--config", config,
                                "--log-level", os.environ.get("RINGBOT_BENCH_LOG_LEVEL", "info")], env=env, stderr=log, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while "ringbot.matrix: listening" not in open(log.name).read():
            if bot.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"matrix-bench: ringbot did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.05)

        alice = Client(port, "alice", "bench-alice-pw")
        bot_id = "@ringbot:localhost"
        room = alice.call("POST", "/_matrix/client/v3/createRoom",
                          {"invite": [bot_id], "is_direct": True, "preset": "private_chat"})["room_id"]
        while alice.membership(room, bot_id) != "join":
            time.sleep(0.05)
        alice.sync(0)

        # Sequential: one question at a time.
        sequential = []
        for text in questions:
            started = time.monotonic()
            event_id = alice.send(room, text)
            deadline = time.monotonic() + 60
            while event_id not in replies_in(alice.sync(10000), bot_id):
                if time.monotonic() > deadline:
                    sys.exit(f"matrix-bench: no reply to {event_id} ({text!r}) within 60 s")
            sequential.append(time.monotonic() - started)

        # Burst: a second connection sends all questions back to back while this one
        # keeps syncing, as a real client would (one huge catch-up sync would be cut).
        sent_at = {}
        seen = {}
        sender = Client(port, "alice", "bench-alice-pw")
        def send_all():
            for text in questions:
                event_id = sender.send(room, text)
                sent_at[event_id] = time.monotonic()
        thread = threading.Thread(target=send_all)
        burst_start = time.monotonic()
        thread.start()
        deadline = time.monotonic() + 120
        while thread.is_alive() or len(seen) < len(sent_at):
            if time.monotonic() > deadline:
                sys.exit(f"matrix-bench: burst: {len(seen)} of {len(questions)} replies seen within 120 s")
            for event_id, when in replies_in(alice.sync(1000), bot_id).items():
                seen.setdefault(event_id, when)
        thread.join()
        burst_elapsed = max(seen[event_id] for event_id in sent_at) - burst_start
        burst = [seen[event_id] - sent_at[event_id] for event_id in sent_at]

        # Baseline: Synapse's own round trip, a user talking to a room of its own.
        solo = alice.call("POST", "/_matrix/client/v3/createRoom", {"preset": "private_chat"})["room_id"]
        alice.sync(0)
        baseline = []
        for text in questions:
            started = time.monotonic()
            event_id = alice.send(solo, text)
            deadline = time.monotonic() + 60
            while not any(e.get("event_id") == event_id for e in alice.sync(10000)):
                if time.monotonic() > deadline:
                    sys.exit(f"matrix-bench: baseline: {event_id} not seen in /sync within 60 s")
            baseline.append(time.monotonic() - started)

        print(f"Matrix end to end: {len(questions)} questions, {args.ringbot} on Synapse at {base}")
        describe("sequential", sequential)
        describe("burst", burst)
        print(f"{'':<11} sustained rate {len(questions) / burst_elapsed:.1f} replies/s "
              f"({burst_elapsed:.2f} s for {len(questions)})")
        describe("baseline", baseline)
        print(f"{'':<11} bot overhead over Synapse's round trip (p50): "
              f"{(percentile(sequential, 0.5) - percentile(baseline, 0.5)) * 1000:.1f} ms")
    finally:
        if bot and bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=20)
            except subprocess.TimeoutExpired:
                bot.kill()
        subprocess.run([sys.executable, HARNESS, "stop", data_dir], stderr=subprocess.DEVNULL)
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

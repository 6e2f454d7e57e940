#!/usr/bin/env python3
"""End-to-end Telegram figures for `make bench`: the fake Bot API (HTTPS), the given `ringbot` binary, and
users who ask questions in private chats through the fake's control API.

  telegram-bench.py --ringbot PATH [--knowledge DIR] [--data FILE.tsv] [--questions N]

Prints three blocks:
  sequential  one question at a time: the user's message -> the bot's reply recorded by the server (p50, p95, max)
  burst       N questions from N users back to back: per-question latency and the sustained reply rate
  baseline    the fake's own round trip for a bot client written in Python: the message -> getUpdates long poll
              delivers it -> sendMessage -> recorded, one fresh HTTPS connection per call (as RingBot makes),
              i.e. the floor under the bot's figures
"""
import argparse
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
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TOKEN = "7000002:AAE-bench_token"


def control(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=120) as response:
        return json.loads(response.read())


def person(number):
    return ({"id": 90000 + number, "is_bot": False, "first_name": f"User{number}"},
            {"id": 90000 + number, "type": "private", "first_name": f"User{number}"})


def await_reply(base, seen, chat_id, message_id, timeout=60):
    """Waits until the bot's reply to (chat, message) is recorded; returns the number of sent messages seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = control(base, "/wait_sent", {"after": seen, "timeout": 10})
        for item in new:
            seen += 1
            if item["chat_id"] == chat_id and item["reply_to_message_id"] == message_id:
                return seen
    sys.exit(f"telegram-bench: no reply to message {message_id} in chat {chat_id} within {timeout} s")


def bot_api_call(api, ca_file, method, params):
    host, port = api.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=ca_file), timeout=60)
    connection.request("POST", f"/bot{TOKEN}/{method}", body=json.dumps(params), headers={"Content-Type": "application/json"})
    answer = json.loads(connection.getresponse().read())
    connection.close()
    if not answer.get("ok"):
        sys.exit(f"telegram-bench: {method} failed: {answer}")
    return answer["result"]


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
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) for a post-mortem")
    args = parser.parse_args()
    questions = load_questions(args.data, args.questions)

    work = tempfile.mkdtemp(prefix="ringbot-tg-bench-")
    fake = bot = None
    try:
        fake = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_bot_api.py"), "--dir", os.path.join(work, "fake"),
                                 "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready = json.loads(fake.stdout.readline())
        api, base, ca_file = ready["api"], ready["control"], ready["ca_file"]

        # Baseline first, while no bot polls: a minimal Python bot's round trip through the fake.
        baseline = []
        offset = None
        for number, text in enumerate(questions):
            user, chat = person(number)
            started = time.monotonic()
            message_id = control(base, "/inject", {"chat": chat, "from": user, "text": text})["message_id"]
            updates = []
            while not updates:
                updates = bot_api_call(api, ca_file, "getUpdates", {"timeout": 10, **({"offset": offset} if offset else {})})
            offset = updates[-1]["update_id"] + 1
            bot_api_call(api, ca_file, "sendMessage", {"chat_id": chat["id"], "text": "ok",
                                                       "reply_parameters": {"message_id": message_id}})
            baseline.append(time.monotonic() - started)
        bot_api_call(api, ca_file, "getUpdates", {"offset": offset, "timeout": 0})
        seen = len(control(base, "/sent"))

        config = os.path.join(work, "ringbot.yaml")
        with open(config, "w") as f:
            f.write("flood: {max_messages: 0}\n")
        env = dict(os.environ, RINGBOT_TELEGRAM_TOKEN=TOKEN, RINGBOT_TELEGRAM_API=api, RINGBOT_TELEGRAM_CA_FILE=ca_file,
                   RINGBOT_STATE_DIR=os.path.join(work, "state"))
        log = open(os.path.join(work, "ringbot.log"), "w+")
        bot = subprocess.Popen([args.ringbot, "telegram", "--knowledge", args.knowledge, "--config", config,
                                "--log-level", os.environ.get("RINGBOT_BENCH_LOG_LEVEL", "info")],
                               env=env, stderr=log, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while "ringbot.telegram: listening" not in open(log.name).read():
            if bot.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"telegram-bench: ringbot did not start: {open(log.name).read()[-2000:]}")
            time.sleep(0.05)

        # Sequential: one question at a time, each from its own user (no dialogue or flood effects).
        sequential = []
        for number, text in enumerate(questions):
            user, chat = person(1000 + number)
            started = time.monotonic()
            message_id = control(base, "/inject", {"chat": chat, "from": user, "text": text})["message_id"]
            seen = await_reply(base, seen, chat["id"], message_id)
            sequential.append(time.monotonic() - started)

        # Burst: every question injected back to back, then the replies collected as they are recorded.
        sent_at = {}
        burst_start = time.monotonic()
        for number, text in enumerate(questions):
            user, chat = person(2000 + number)
            message_id = control(base, "/inject", {"chat": chat, "from": user, "text": text})["message_id"]
            sent_at[(chat["id"], message_id)] = time.monotonic()
        answered = {}
        deadline = time.monotonic() + 180
        while len(answered) < len(sent_at):
            if time.monotonic() > deadline:
                sys.exit(f"telegram-bench: burst: {len(answered)} of {len(questions)} replies within 180 s")
            for item in control(base, "/wait_sent", {"after": seen, "timeout": 10}):
                seen += 1
                key = (item["chat_id"], item["reply_to_message_id"])
                if key in sent_at:
                    answered.setdefault(key, time.monotonic())
        burst_elapsed = max(answered.values()) - burst_start
        burst = [answered[key] - sent_at[key] for key in sent_at]

        violations = control(base, "/violations")
        print(f"Telegram end to end: {len(questions)} questions, {args.ringbot} on the fake Bot API at {api} (HTTPS)")
        describe("sequential", sequential)
        describe("burst", burst)
        print(f"{'':<11} sustained rate {len(questions) / burst_elapsed:.1f} replies/s "
              f"({burst_elapsed:.2f} s for {len(questions)})")
        describe("baseline", baseline)
        print(f"{'':<11} bot overhead over the fake's round trip (p50): "
              f"{(percentile(sequential, 0.5) - percentile(baseline, 0.5)) * 1000:.1f} ms")
        if violations:
            print(f"telegram-bench: warning: {len(violations)} requests outside the published Bot API: {violations[:3]}",
                  file=sys.stderr)
    finally:
        for process in (bot, fake):
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

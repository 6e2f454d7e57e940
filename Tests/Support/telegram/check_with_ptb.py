#!/usr/bin/env python3
"""Drives the fake Bot API with python-telegram-bot, Telegram's own Python client, so the fake is checked against
a client written from the real server's behaviour rather than against RingBot's assumptions.

    <venv with python-telegram-bot>/bin/python check_with_ptb.py   (the fake itself runs on `python3` from PATH)

Starts a fake in a temporary folder, runs each check, prints one line per check and exits 1 on the first failure.
"""
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "700100:PTB-check-token_x"


class Fake:
    def __init__(self, directory):
        self.process = subprocess.Popen(["python3", os.path.join(HERE, "fake_bot_api.py"), "--dir", directory,
                                         "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready = json.loads(self.process.stdout.readline())
        self.api, self.control_url, self.ca_file = ready["api"], ready["control"], ready["ca_file"]

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(self.control_url + path, data=data)) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.terminate()
        self.process.wait()


ALICE = {"id": 5001, "is_bot": False, "first_name": "Alice", "username": "alice"}
PRIVATE = {"id": 5001, "type": "private", "first_name": "Alice", "username": "alice"}
GROUP = {"id": -4001, "type": "group", "title": "Support"}
FORUM = {"id": -1004002, "type": "supergroup", "title": "Help desk", "is_forum": True}


async def run_checks(fake):
    from telegram import Bot, ReplyParameters
    from telegram.constants import ParseMode
    from telegram.error import BadRequest, ChatMigrated, Conflict, InvalidToken, RetryAfter
    from telegram.request import HTTPXRequest

    def request():
        return HTTPXRequest(httpx_kwargs={"verify": fake.ca_file}, read_timeout=10)

    bot = Bot(TOKEN, base_url=fake.api + "/bot", request=request(), get_updates_request=request())
    results = []

    def check(name, condition):
        results.append(name)
        print(("ok   " if condition else "FAIL ") + name, flush=True)
        if not condition:
            raise SystemExit(1)

    async with bot:
        me = await bot.get_me()
        check("getMe returns the bot as a User", me.is_bot and me.username == "ringbot_test_bot")

        first = fake.control("/inject", {"chat": PRIVATE, "from": ALICE, "text": "why does it say calling"})
        updates = await bot.get_updates(timeout=1, allowed_updates=["message"])
        check("getUpdates returns an injected private message as a Message",
              len(updates) == 1 and updates[0].message.text == "why does it say calling"
              and updates[0].message.chat.type == "private")
        sent = await bot.send_message(PRIVATE["id"], "<b>Steps</b>\n1. Open &lt;Settings&gt;", parse_mode=ParseMode.HTML,
                                      reply_parameters=ReplyParameters(first["message_id"]))
        check("sendMessage with HTML and reply_parameters answers the sent Message with reply_to_message",
              sent.text == "Steps\n1. Open <Settings>" and sent.reply_to_message.message_id == first["message_id"])
        again = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
        check("an offset above an update_id confirms it", again == ())

        try:
            await bot.send_message(PRIVATE["id"], "<ul><li>x</li></ul>", parse_mode=ParseMode.HTML)
            check("unsupported HTML tags are a BadRequest", False)
        except BadRequest as error:
            check("unsupported HTML tags are a BadRequest", "parse entities" in error.message.lower())
        try:
            await bot.send_message(PRIVATE["id"], "x" * 4097)
            check("4097 characters are a BadRequest 'message is too long'", False)
        except BadRequest as error:
            check("4097 characters are a BadRequest 'message is too long'", "too long" in error.message.lower())

        fake.control("/fault", {"method": "sendMessage", "status": 429, "retry_after": 7})
        try:
            await bot.send_message(PRIVATE["id"], "hi")
            check("a 429 is a RetryAfter with retry_after", False)
        except RetryAfter as error:
            check("a 429 is a RetryAfter with retry_after", error.retry_after in (7, __import__("datetime").timedelta(seconds=7)))

        fake.control("/inject", {"chat": GROUP, "from": ALICE, "text": "just chatting"})
        fake.control("/inject", {"chat": GROUP, "from": ALICE, "text": "/ask@ringbot_test_bot why calling"})
        fake.control("/inject", {"chat": GROUP, "from": ALICE, "text": "/ask@other_bot why calling"})
        group_updates = await bot.get_updates(timeout=1)
        texts = [u.message.text for u in group_updates]
        check("privacy mode: a group delivers only the command meant for this bot",
              texts == ["/ask@ringbot_test_bot why calling"])
        offset = group_updates[-1].update_id + 1

        new_id = fake.control("/migrate", {"chat_id": GROUP["id"]})["new_chat_id"]
        migrated = await bot.get_updates(offset=offset, timeout=1)
        check("a migration delivers migrate_to_chat_id and migrate_from_chat_id service messages",
              [u.message.migrate_to_chat_id for u in migrated][:1] == [new_id]
              and migrated[1].message.migrate_from_chat_id == GROUP["id"])
        offset = migrated[-1].update_id + 1
        try:
            await bot.send_message(GROUP["id"], "hello")
            check("sending to a migrated group is ChatMigrated with the new id", False)
        except ChatMigrated as error:
            check("sending to a migrated group is ChatMigrated with the new id", error.new_chat_id == new_id)

        thread = fake.control("/topic", {"chat": FORUM, "from": ALICE, "name": "Calls"})["thread_id"]
        fake.control("/inject", {"chat": FORUM, "from": ALICE, "thread_id": thread,
                                 "text": "@ringbot_test_bot calls stuck on calling"})
        topic = await bot.get_updates(offset=offset, timeout=1)
        message = topic[0].message
        check("a forum topic message carries message_thread_id and is_topic_message",
              message.message_thread_id == thread and message.is_topic_message)
        reply = await bot.send_message(FORUM["id"], "answer", message_thread_id=thread,
                                       reply_parameters=ReplyParameters(message.message_id))
        check("a reply in a topic keeps message_thread_id", reply.message_thread_id == thread)
        offset = topic[-1].update_id + 1

        async def poll():
            return await bot.get_updates(offset=offset, timeout=5)

        waiting = asyncio.create_task(poll())
        await asyncio.sleep(0.5)
        fake.control("/rival", {})
        try:
            await waiting
            check("a second poller ends the waiting getUpdates with Conflict", False)
        except Conflict as error:
            check("a second poller ends the waiting getUpdates with Conflict", "terminated by other getUpdates" in error.message)

        fake.control("/webhook", {"url": "https://example.org/hook"})
        try:
            await bot.get_updates(offset=offset, timeout=0)
            check("a set webhook makes getUpdates a Conflict", False)
        except Conflict as error:
            check("a set webhook makes getUpdates a Conflict", "webhook is active" in error.message)
        await bot.delete_webhook()
        check("deleteWebhook lets getUpdates work again", await bot.get_updates(offset=offset, timeout=0) == ())

        fake.control("/inject", {"chat": PRIVATE, "from": ALICE, "text": "old question"})
        fake.control("/clock", {"advance": 24 * 3600 + 1})
        check("updates older than 24 hours are gone", await bot.get_updates(offset=offset, timeout=0) == ())

        violations = fake.control("/violations")
        check("python-telegram-bot's requests all follow the published schema", violations == [])

        fake.control("/revoke", {})
        try:
            await bot.get_me()
            check("a revoked token is InvalidToken (401 Unauthorized)", False)
        except InvalidToken:
            check("a revoked token is InvalidToken (401 Unauthorized)", True)
    return results


def main():
    # A parent may start us with signals blocked (Foundation's Process does): SIGTERM must stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    with tempfile.TemporaryDirectory(prefix="fake-bot-api-ptb-") as directory:
        fake = Fake(directory)
        try:
            results = asyncio.run(run_checks(fake))
        finally:
            fake.stop()
    print(f"{len(results)} checks passed against python-telegram-bot", flush=True)


if __name__ == "__main__":
    main()

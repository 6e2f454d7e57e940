#!/usr/bin/env bash
# Creates (once) a virtualenv with python-telegram-bot, Telegram's own Python client, which
# Tests/Support/telegram/check_with_ptb.py drives the fake Bot API with.
set -euo pipefail
venv="${1:?usage: install-telegram-client.sh VENV_DIR}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import telegram' 2>/dev/null; then
  exit 0
fi
echo "Installing python-telegram-bot into $venv (once; cached afterwards)..." >&2
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" install -q python-telegram-bot
"$venv/bin/python" -c 'import telegram' || { echo "error: python-telegram-bot did not install into $venv" >&2; exit 1; }

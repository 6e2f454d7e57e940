#!/usr/bin/env bash
# Creates (once) a virtualenv with Zulip's own Python client (`zulip` on PyPI), used to check
# the fake Zulip server (Tests/Support/zulip/check_with_client.py).
set -euo pipefail
venv="${1:?usage: install-zulip-client.sh VENV_DIR}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import zulip' 2>/dev/null; then
  exit 0
fi
echo "Installing the zulip client into $venv (once; cached afterwards)..." >&2
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" install -q 'zulip>=0.9,<1'
"$venv/bin/python" -c 'import zulip' || { echo "error: the zulip client did not install into $venv" >&2; exit 1; }

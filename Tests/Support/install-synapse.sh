#!/usr/bin/env bash
# Creates (once) a virtualenv with matrix-synapse for the integration tests.
set -euo pipefail
venv="${1:?usage: install-synapse.sh VENV_DIR}"
if [ -x "$venv/bin/synapse_homeserver" ] || [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import synapse' 2>/dev/null; then
  exit 0
fi
echo "Installing matrix-synapse into $venv (once; cached afterwards)..." >&2
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip >/dev/null
"$venv/bin/pip" install -q matrix-synapse
"$venv/bin/python" -c 'import synapse' || { echo "error: matrix-synapse did not install into $venv" >&2; exit 1; }

#!/usr/bin/env bash
# Installs the system libraries RingBot builds against, only when missing:
# libcurl (libcurl4-openssl-dev), SQLite (libsqlite3-dev), libedit (libedit-dev), pkg-config.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libcurl 2>/dev/null || [ ! -f /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ ! -f /usr/include/curl/curl.h ]; then
  missing+=(libcurl4-openssl-dev)
fi
pkg-config --exists sqlite3 2>/dev/null || missing+=(libsqlite3-dev)
pkg-config --exists libedit 2>/dev/null || missing+=(libedit-dev)
pkg-config --exists libcrypto 2>/dev/null || missing+=(libssl-dev)

[ ${#missing[@]} -eq 0 ] && exit 0

echo "RingBot needs: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "error: not root and no sudo. Install them yourself: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: apt-get not found. Install the development files for: ${missing[*]}" >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"

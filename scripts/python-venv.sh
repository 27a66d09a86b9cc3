#!/usr/bin/env bash
# Usage: scripts/python-venv.sh NAME PACKAGE[==VERSION]...
#
# Makes (or reuses) the virtualenv .build/venv-NAME with exactly these packages from
# PyPI and prints the path of its python. Tests that need a third-party server (MLServer,
# mlflow, moto) call it, so `swift test` alone works on a clean clone; pip's own cache
# makes the next clean clone fast. The requirement list is stamped into the virtualenv:
# a changed list rebuilds it. Fails (exit 1, with pip's output) when PyPI is unreachable:
# a test that needs the package fails rather than skips.
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 NAME PACKAGE[==VERSION]..." >&2
  exit 2
fi
name="$1"; shift
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/venv-$name"
stamp="$venv/.mooring-requirements"
wanted="$(printf '%s\n' "$@")"

# One virtualenv is made by one process at a time (tests of two suites may ask at once).
mkdir -p "$root/.build"
exec 9>"$root/.build/venv-$name.lock"
flock 9

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "$venv/bin/python"
  exit 0
fi

rm -rf "$venv"
python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
printf '%s' "$wanted" > "$stamp"
echo "$venv/bin/python"

#!/usr/bin/env bash
# Installs the system packages Mooring needs to build, test and run.
# Idempotent: runs `apt-get update` only when a package is missing, and uses
# sudo only when not root. With --bench, also what `make bench` uses: valgrind
# (instruction counts), perf (profiles), objcopy (a copy without DWARF 5 for valgrind)
# and python3-venv (supervisord from PyPI, the alternative it is measured against).
set -euo pipefail

# openssh-client (ssh-keygen -Y verify) and gpgv check signed commits (policy.verifyCommits);
# gnupg makes the OpenPGP keys and signatures of the tests.
# chromium (headless) renders the status page in the end-to-end test (StatusPageTests).
# haproxy is the data plane of stable endpoints (docs/traffic.md); python3-venv makes the
# virtualenvs of tests that run third-party servers (scripts/python-venv.sh); libyaml-dev
# is the manifest parser; libssl-dev gives libcrypto's headers (SHA-256, HMAC; libgit2-dev
# already pulls it in); systemd gives `systemd-analyze verify` for the unit in docs/operations.md;
# gcc compiles the replica log stamper for `make install` and `make bench` (see the Makefile).
packages=(libgit2-dev libcurl4-openssl-dev libsqlite3-dev libyaml-dev libssl-dev pkg-config ca-certificates python3 python3-venv git openssh-client gpgv gnupg chromium haproxy systemd gcc)
if [ "${1:-}" = "--bench" ]; then
  packages+=(valgrind linux-perf binutils python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing packages (${missing[*]}) and no apt-get on this machine; install them by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

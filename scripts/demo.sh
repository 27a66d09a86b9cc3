#!/usr/bin/env bash
# make demo: a narrated walkthrough of Mooring's three promises on this machine, in about
# two minutes. It prints every command and its real output:
#   1. deploy by merging a pull request (through a stable endpoint, a client calling it
#      the whole time, zero failed requests);
#   2. roll back with `git revert -m 1`;
#   3. a version that never becomes healthy is rolled back by itself, and status says why.
# Everything it makes lives in one scratch directory, removed at the end (also on Ctrl-C):
# a Git repository seeded from manifests/, a state directory, a controller and its models.
#
# MOORING: the mooring binary (default: the debug build). DEMO_KEEP=1 keeps the directory.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mooring="${MOORING:-$root/.build/debug/mooring}"
[ -x "$mooring" ] || { echo "demo: no mooring binary at $mooring; run make build first" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/mooring-demo.XXXXXX")"
repo="$work/models-repo"
state="$work/state"
controller_pid=""
client_pid=""

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Ada (ML platform)" GIT_AUTHOR_EMAIL=ada@example.com
export GIT_COMMITTER_NAME="Ada (ML platform)" GIT_COMMITTER_EMAIL=ada@example.com

cleanup() {
  local status=$?
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
  if [ -d "$state" ]; then "$mooring" down --state-dir "$state" --grace 5s >/dev/null 2>&1 || true; fi
  if [ -n "$controller_pid" ]; then kill "$controller_pid" 2>/dev/null || true; wait "$controller_pid" 2>/dev/null || true; fi
  if [ "${DEMO_KEEP:-}" = 1 ]; then echo "demo: kept $work"; else rm -rf "$work"; fi
  exit $status
}
trap cleanup EXIT INT TERM

bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'
[ -t 1 ] || { bold=""; dim=""; off=""; }
say() { printf '\n%s## %s%s\n' "$bold" "$*" "$off"; }
# Prints a command as a person would type it (mooring for the binary), then runs it.
run() {
  local shown=("$@")
  [ "${shown[0]}" = "$mooring" ] && shown[0]=mooring
  printf '%s$ %s%s\n' "$dim" "${shown[*]}" "$off"
  "$@"
}
m() { run "$mooring" "$@" --state-dir "$state"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
infer() { run python3 "$root/examples/clients/infer.py" "http://127.0.0.1:$endpoint"; }
set_iris() {  # version, model file, extra runtime args
  python3 - "$repo/manifests/iris.yaml" "$@" <<'PY'
import re, sys
path, version, model = sys.argv[1:4]
text = open(path).read()
text = re.sub(r"uri: \S+", f"uri: {model}", text)
text = re.sub(r'version: "\d+"', f'version: "{version}"', text)
open(path, "w").write(text)
PY
}

endpoint="$(free_port)"
base=$((40000 + (RANDOM % 50) * 100))

say "A GitOps repository for this host's models, seeded from manifests/"
mkdir -p "$repo"
cp -R "$root/manifests" "$root/models" "$repo/"
# The model server, and the files the iris deployment's golden requests send.
mkdir -p "$repo/examples" && cp -R "$root/examples/servers" "$root/examples/golden" "$repo/examples/"
# The demo's iris starts at v1, behind a stable endpoint, and becomes healthy quickly.
python3 - "$repo/manifests/iris.yaml" "$endpoint" <<'PY'
import re, sys
path, port = sys.argv[1:3]
text = open(path).read()
text = re.sub(r"minHealthySeconds: \d+", "minHealthySeconds: 2", text)
text = re.sub(r"progressDeadlineSeconds: \d+", "progressDeadlineSeconds: 20", text)
text = text.rstrip("\n") + f"\n  endpoint: {{port: {port}}}\n"
open(path, "w").write(text)
PY
set_iris 1 models/iris-v1.json
git -C "$repo" init -q -b main && git -C "$repo" add -A && git -C "$repo" commit -q -m "Deploy iris v1"
run git -C "$repo" log --oneline
run cat "$repo/manifests/iris.yaml"

say "Start the controller (in the background; models outlive it)"
printf '%s$ mooring run --repo %s --state-dir %s --interval 5s &%s\n' "$dim" "$repo" "$state" "$off"
"$mooring" run --repo "$repo" --branch main --state-dir "$state" --interval 5s \
  --port-range "$base-$((base + 99))" --listen 127.0.0.1:0 >"$work/controller.log" 2>&1 &
controller_pid=$!
for _ in $(seq 1 300); do [ -s "$state/api" ] && break; sleep 0.1; done
[ -s "$state/api" ] || { echo "demo: the controller did not start:" >&2; cat "$work/controller.log" >&2; exit 1; }
m sync
m status --wait --timeout 60s
say "Call the model through its stable endpoint"
infer

say "A pull request moves iris to v2: the PR check"
run git -C "$repo" checkout -q -b iris-v2
set_iris 2 models/iris-v2.json
run git -C "$repo" commit -q -am "iris: serve v2 (retrained)"
(cd "$repo" && run "$mooring" validate manifests --format github)
(cd "$repo" && run "$mooring" plan --ref iris-v2 --against main)

say "Merge it, with a client calling the endpoint every 50 ms throughout"
python3 "$root/examples/clients/infer.py" "http://127.0.0.1:$endpoint" --load 120 --report "$work/client.json" \
  >"$work/client.out" 2>&1 &
client_pid=$!
run git -C "$repo" checkout -q main
run git -C "$repo" merge -q --no-ff -m "Merge pull request #1 from iris-v2" iris-v2
m sync
m status --wait --timeout 90s
infer

say "Roll back with git revert of the merge"
run git -C "$repo" revert --no-edit -m 1 HEAD
m sync
m status --wait --timeout 90s
infer
kill "$client_pid"; wait "$client_pid" || true; client_pid=""
say "The client during both rollouts"
run cat "$work/client.out"

say "A version that never becomes healthy"
python3 - "$repo/manifests/iris.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
# v2 again, but its server never reports ready: the rollout misses its deadline.
text = text.replace("models/iris-v1.json", "models/iris-v2.json").replace('version: "1"', 'version: "2"')
text = text.rstrip("\n") + (
    '\n  command: ["python3", "{{revision.dir}}/examples/servers/kserve_v2_server.py", "--model", "{{model.path}}",'
    '\n            "--port", "{{port}}", "--name", "{{name}}", "--ready-delay", "3600"]\n')
open(path, "w").write(text)
PY
run git -C "$repo" commit -q -am "iris: v2 with a slow start (it never gets ready)"
m sync
m status --wait --timeout 90s || true
# status --wait returns as soon as iris is Degraded; the rollback ends a moment later.
for _ in $(seq 1 100); do
  "$mooring" events iris --limit 3 --state-dir "$state" 2>/dev/null | grep -q Quarantined && break
  sleep 0.3
done
m events iris --limit 6
say "v1 kept serving"
infer

say "The status page"
api="$(cat "$state/api")"
echo "open $api/ in a browser (and $api/deployments/iris); its title says:"
python3 -c 'import re,sys,urllib.request; print(re.search(r"<title>(.*?)</title>", urllib.request.urlopen(sys.argv[1]).read().decode()).group(1))' "$api/"

say "Stop everything"
m down
controller_pid=""
echo "demo: done; removing $work"

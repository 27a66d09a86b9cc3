#!/usr/bin/env bash
# `make install-check`: runs `make install` into a temporary PREFIX and checks that the
# installed `mooring` runs, is a release build, and answers `--help`. Removes the prefix.
# SWIFT_RELEASE_FLAGS (optional) passes through to the release build of `make install`.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(mktemp -d "${TMPDIR:-/tmp}/mooring-install-check.XXXXXX")"
trap 'rm -rf "$prefix"' EXIT

"${MAKE:-make}" install PREFIX="$prefix" SWIFT_RELEASE_FLAGS="${SWIFT_RELEASE_FLAGS:-}"

binary="$prefix/bin/mooring"
if [ ! -x "$binary" ]; then
  echo "install-check: make install did not create an executable $binary" >&2
  exit 1
fi

version="$("$binary" version)"
echo "install-check: $binary version: $version"
case "$version" in
  *"(release build)"*) ;;
  *)
    echo "install-check: expected a release build, got '$version'; make install must build with -c release" >&2
    exit 1
    ;;
esac

# The installed binary finds its own way around: help works without the source tree.
(cd "$prefix" && "$binary" --help >/dev/null)
(cd "$prefix" && PATH="$prefix/bin:$PATH" mooring validate --help >/dev/null)
echo "install-check: ok (make install PREFIX=... puts a release mooring in PREFIX/bin)"

#!/usr/bin/env bash
# Prints the path of a working Temporal CLI binary (v1.5.1) on stdout, and nothing else.
# Order: $TEMPORAL_CLI; the cached build; otherwise build it with `go install` into the cache.
# Progress and errors go to stderr.
set -euo pipefail

VERSION=1.5.1
MODULE="github.com/temporalio/cli/cmd/temporal@v${VERSION}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/indsatsflow"
BIN="$CACHE_DIR/temporal-$VERSION"
LOCK="$CACHE_DIR/temporal-$VERSION.lock"

log() { echo "ensure-temporal: $*" >&2; }
# shellcheck source=scripts/go-install.sh
source "$(dirname "$0")/go-install.sh"

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if [ -n "${TEMPORAL_CLI:-}" ]; then
  if [ -x "$TEMPORAL_CLI" ]; then
    echo "$TEMPORAL_CLI"
    exit 0
  fi
  log "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file; falling back to the cache"
fi

if works "$BIN"; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE_DIR"
tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

build() {
  # Another caller may have finished the build while we waited for the lock.
  if works "$BIN"; then
    return 0
  fi

  tmp="$(mktemp -d "$CACHE_DIR/build.XXXXXX")"
  local start=$SECONDS
  if ! go_install "$MODULE" "$tmp" ensure-temporal; then
    log "Install Go >= 1.25, or set TEMPORAL_CLI to an existing Temporal CLI binary."
    return 1
  fi
  if ! works "$tmp/temporal"; then
    log "the freshly built $tmp/temporal does not run"
    return 1
  fi
  # Same filesystem (tmp is inside CACHE_DIR), so mv is an atomic rename.
  mv -f "$tmp/temporal" "$BIN"
  log "built $BIN in $((SECONDS - start)) s"
}

if command -v flock >/dev/null 2>&1; then
  # Serialise concurrent callers: only one builds, the others wait and reuse its result.
  exec 9>"$LOCK"
  if ! flock -n 9; then
    log "another process is building the Temporal CLI; waiting for it..."
    flock 9
  fi
  build
  exec 9>&-
else
  build
fi

if ! works "$BIN"; then
  log "no working Temporal CLI at $BIN"
  exit 1
fi
echo "$BIN"

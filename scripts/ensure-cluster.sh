#!/usr/bin/env bash
# Prints the path of a folder holding a real Temporal cluster's parts, and nothing else:
#   bin/temporal-server      go.temporal.io/server/cmd/server (the same v1.29.1 as the CLI's dev server)
#   bin/temporal-sql-tool    go.temporal.io/server/cmd/tools/sql (applies the PostgreSQL schema)
#   bin/temporal-ui-server   github.com/temporalio/ui-server/v2/cmd/server
#   schema/postgresql/v12/   the server's SQL schema (temporal + visibility)
#   config/                  the server's sample configs (development-postgres12.yaml is ours' base)
# Built once from the Go module proxy into ~/.cache/indsatsflow (TEMPORAL_CLUSTER_DIR: use another
# folder with the same layout). Progress and errors go to stderr.
set -euo pipefail

SERVER_VERSION=1.29.1
UI_VERSION=2.42.1
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/indsatsflow"
DIR="$CACHE_DIR/temporal-cluster-$SERVER_VERSION-ui-$UI_VERSION"
LOCK="$DIR.lock"

log() { echo "ensure-cluster: $*" >&2; }
# shellcheck source=scripts/go-install.sh
source "$(dirname "$0")/go-install.sh"

complete() { [ -f "$1/.complete" ] && [ -x "$1/bin/temporal-server" ] && [ -x "$1/bin/temporal-sql-tool" ] && [ -x "$1/bin/temporal-ui-server" ]; }

if [ -n "${TEMPORAL_CLUSTER_DIR:-}" ]; then
  if complete "$TEMPORAL_CLUSTER_DIR"; then
    echo "$TEMPORAL_CLUSTER_DIR"
    exit 0
  fi
  log "TEMPORAL_CLUSTER_DIR=$TEMPORAL_CLUSTER_DIR lacks bin/temporal-{server,sql-tool,ui-server} or .complete"
  exit 1
fi

if complete "$DIR"; then
  echo "$DIR"
  exit 0
fi

mkdir -p "$CACHE_DIR"
tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

build() {
  if complete "$DIR"; then return 0; fi
  local go_bin start=$SECONDS
  if ! go_bin="$(find_go)"; then
    log "Go is not installed (not on PATH, not at /usr/local/go/bin/go): install Go >= 1.25 to build the cluster"
    return 1
  fi
  tmp="$(mktemp -d "$CACHE_DIR/cluster-build.XXXXXX")"
  mkdir -p "$tmp/out/bin" "$tmp/server" "$tmp/sql" "$tmp/ui"
  # Both cmd/server commands are called `server`: each gets its own GOBIN.
  go_install "go.temporal.io/server/cmd/server@v$SERVER_VERSION" "$tmp/server" "ensure-cluster (server)"
  go_install "go.temporal.io/server/cmd/tools/sql@v$SERVER_VERSION" "$tmp/sql" "ensure-cluster (sql tool)"
  go_install "github.com/temporalio/ui-server/v2/cmd/server@v$UI_VERSION" "$tmp/ui" "ensure-cluster (ui server)"
  mv "$tmp/server/server" "$tmp/out/bin/temporal-server"
  mv "$tmp/sql/sql" "$tmp/out/bin/temporal-sql-tool"
  mv "$tmp/ui/server" "$tmp/out/bin/temporal-ui-server"

  local module_dir
  module_dir="$("$go_bin" env GOMODCACHE)/go.temporal.io/server@v$SERVER_VERSION"
  if [ ! -d "$module_dir/schema/postgresql/v12" ]; then
    log "the server module has no schema/postgresql/v12 at $module_dir"
    return 1
  fi
  mkdir -p "$tmp/out/schema/postgresql"
  cp -R "$module_dir/schema/postgresql/v12" "$tmp/out/schema/postgresql/v12"
  cp -R "$module_dir/config" "$tmp/out/config"
  chmod -R u+w "$tmp/out"
  "$tmp/out/bin/temporal-server" --version >/dev/null 2>&1 || log "note: temporal-server --version did not answer"
  touch "$tmp/out/.complete"
  rm -rf "$DIR"
  mv "$tmp/out" "$DIR"
  log "cluster parts ready in $DIR ($((SECONDS - start)) s)"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"$LOCK"
  if ! flock -n 9; then
    log "another process is building the cluster parts; waiting for it..."
    flock 9
  fi
  build
  exec 9>&-
else
  build
fi

complete "$DIR" || { log "no complete cluster folder at $DIR"; exit 1; }
echo "$DIR"

# Sourced by the ensure-*.sh scripts: `go_install MODULE@VERSION GOBIN LABEL` builds a Go command
# from the module proxy into GOBIN, saying what it is doing on stderr while it does it (a first
# build takes minutes on two cores, and silence looks like a hang).

find_go() {
  if command -v go >/dev/null 2>&1; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  else
    return 1
  fi
}

go_install() {
  local module="$1" gobin="$2" label="$3" go_bin
  if ! go_bin="$(find_go)"; then
    echo "$label: Go is not installed (not on PATH, not at /usr/local/go/bin/go); install Go >= 1.25" >&2
    return 1
  fi
  echo "$label: building $module with $("$go_bin" version | cut -d' ' -f3) (first time: minutes; cached afterwards)" >&2
  local start=$SECONDS status_file ticker
  status_file="$(mktemp)"
  # Linking the last binary prints nothing for a minute: a heartbeat says it is still going.
  (while sleep 30; do echo "$label: still building ($((SECONDS - start)) s)..." >&2; done) &
  ticker=$!
  # -v names each package as it is compiled (cached ones are skipped); count them, report every 20 s.
  {
    GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -modcacherw" "$go_bin" install -v "$module" 2>&1
    echo "__exit $?"
  } | {
    local packages=0 downloads=0 last=$SECONDS line
    while IFS= read -r line; do
      case "$line" in
        "__exit "*) echo "${line#__exit }" >"$status_file" ;;
        "go: downloading "*) downloads=$((downloads + 1)) ;;
        *" "* | *":"*) echo "$label: $line" >&2 ;; # an error or warning: show it as it is
        *) packages=$((packages + 1)) ;;
      esac
      if [ $((SECONDS - last)) -ge 20 ]; then
        echo "$label: $((SECONDS - start)) s: $downloads modules downloaded, $packages packages compiled..." >&2
        last=$SECONDS
      fi
    done
  }
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  local rc
  rc="$(cat "$status_file")"
  rm -f "$status_file"
  if [ "$rc" != "0" ]; then
    echo "$label: go install $module failed (exit $rc)" >&2
    return 1
  fi
  echo "$label: built in $((SECONDS - start)) s" >&2
}

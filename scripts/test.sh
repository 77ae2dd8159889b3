#!/usr/bin/env bash
# Type-check, then run every test/**/*.test.ts with node:test, one file at a time.
# node:test's summary ("# pass N", "# fail N") stays on stdout for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsc --noEmit -p .

mapfile -t files < <(find test -type f -name '*.test.ts' -not -path '*/node_modules/*' | LC_ALL=C sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "scripts/test.sh: no test files under test/" >&2
  exit 1
fi

exec node --import tsx --test --test-concurrency=1 "${files[@]}"

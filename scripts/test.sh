#!/usr/bin/env bash
# Type-check, then run every test/**/*.test.ts with node:test, one file at a time.
# With --unit, only the tests that need no services (no Temporal, no PostgreSQL): seconds, not minutes.
# node:test's summary ("# pass N", "# fail N") stays on stdout for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

npx tsc --noEmit -p .

if [ "${1:-}" = "--unit" ]; then
  # Pure machine, date and policy tests, and the admin hook (Fastify's inject, no port). A new test
  # that starts test/support/stack.ts does not belong here.
  files=(
    test/admin-auth.test.ts
    test/coverage.test.ts
    test/dates.test.ts
    test/escalations.test.ts
    test/machine.test.ts
    test/machine-rule-kinds.test.ts
    test/machine-seed-rule-kinds.test.ts
    test/municipality-*.test.ts
    test/policies.test.ts
  )
  exec node --import tsx --test "${files[@]}"
fi

mapfile -t files < <(find test -type f -name '*.test.ts' -not -path '*/node_modules/*' | LC_ALL=C sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "scripts/test.sh: no test files under test/" >&2
  exit 1
fi

exec node --import tsx --test --test-concurrency=1 "${files[@]}"

// Every measure of every seed and every rule of it is accounted for in the policy data, and the
// committed policies/COVERAGE.md is the report for the data as it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { coverageMarkdown } from '../policies/coverage';
import { coverage } from '../scripts/coverage-report';

test('no rule of any seed is silently dropped', () => {
  const rows = coverage();
  const records = new Set(rows.map((r) => r.recordId));
  assert.equal(records.size, 85, 'all 85 measures of the five seeds are in the report');
  const missing = rows.filter((r) => r.status === 'MISSING').map((r) => `${r.recordId} l.${r.lines}: ${r.rule}`);
  assert.deepEqual(missing, []);
  for (const m of ['hjorring', 'haderslev', 'halsnaes', 'allerod', 'norddjurs'])
    assert.ok(
      rows.some((r) => r.municipality === m),
      m,
    );
});

test('policies/COVERAGE.md is up to date (npm run coverage)', () => {
  const committed = readFileSync(join(__dirname, '..', 'policies', 'COVERAGE.md'), 'utf8');
  assert.equal(committed, coverageMarkdown(coverage()) + '\n');
});

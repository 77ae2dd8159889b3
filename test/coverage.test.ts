// Every measure of every seed and every rule of it is accounted for in the policy data, and the
// committed policies/COVERAGE.md is the report for the data as it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCatalogue } from '../policies/catalogue';
import { coverageMarkdown, coverageOf, danglingCovers, type CatalogueRecord } from '../policies/coverage';
import { CATALOGUE_FILE, coverage } from '../scripts/coverage-report';

const catalogue = () => JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as CatalogueRecord[];

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

test('every id a policy cites in covers is an entry of the seed catalogue', () => {
  assert.deepEqual(danglingCovers(catalogue()), []);
});

test('a row is credited only where a rule cites it: overlapping lines earn nothing', () => {
  const policies = structuredClone(loadCatalogue());
  const pps = policies.get('hjorring')!.measureTypes.find((t) => t.slug === 'praktisk-paedagogisk-stoette')!;
  const id = 'hjo-pps:timers[3]';
  const row = () =>
    coverageOf(catalogue(), policies).find(
      (r) => r.recordId === 'hjo-pps' && r.rule.startsWith('timer first_follow_up'),
    )!;
  // "Første opfølgning efter 4 uger" (000 l.94): cited by the first follow-up.
  assert.equal(row().status, 'enforced');
  assert.equal(row().encodedAs, 'praktisk-paedagogisk-stoette: firstFollowUp');
  const source = pps.firstFollowUp!.source;
  assert.ok(source.kind === 'seed' && source.covers?.includes(id));
  // The same rule at the same lines, without the citation: MISSING, though its lines still overlap.
  if (source.kind === 'seed') source.covers = source.covers!.filter((c) => c !== id);
  assert.equal(row().status, 'MISSING');
  assert.match(row().encodedAs, /no rule of the policy cites hjo-pps:timers\[3\]/);
});

test('every field of the seed catalogue counts: hours caps and target-group ages are rows', () => {
  const rows = coverage();
  assert.ok(rows.some((r) => r.recordId === 'had-pps' && r.rule.startsWith('hours cap:')));
  const age = rows.find((r) => r.recordId === 'hjo-kontaktperson-barn' && r.rule.startsWith('target group age:'))!;
  assert.equal(age.status, 'warned');
  assert.equal(age.encodedAs, 'kontaktperson-barn: grantAge');
  const why = rows.filter((r) => r.status === 'not machine-checkable' && !/:\s*\S.{20,}/.test(r.encodedAs));
  assert.deepEqual(why, [], 'every row left not machine-checkable says why');
});

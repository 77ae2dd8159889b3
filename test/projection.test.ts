// The measures projection on a real PostgreSQL (db/repositories/measures.ts): one statement writes
// the view, its deadlines and the machine state, guarded by the workflow's revision. What it must
// keep: a late older revision changes nothing, deadlines no longer derived disappear, and a write
// the database refuses leaves the row as it was (no half-written projection).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Pool } from 'pg';
import type { MachineState } from '../activities/types';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { MeasureRepository } from '../db/repositories/measures';
import { deadlines, newMeasure, tick, apply, type MeasureSnapshot } from '../machines/measure';
import { viewOf, type MeasureView } from '../machines/measure-view';
import { startPostgres, type RunningPostgres } from '../stack/postgres';
import { testPolicy } from './fixtures/test-policy';
import { eventsFrom, NOW } from './support/machine-events';

let pg: RunningPostgres;
let pool: Pool;
let dir: string;
let repo: MeasureRepository;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'indsatsflow-projection-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
  pg = await startPostgres({ dataDir: join(dir, 'pg') });
  pool = createPool(pg.url, () => undefined);
  await migrate(pool);
  repo = new MeasureRepository(pool);
});

after(async () => {
  await pool?.end();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ev = eventsFrom('test/projection');

/** A granted measure, or one past its first follow-up (another deadline, one met). */
function measure(followedUp = false): MeasureSnapshot {
  const policy = testPolicy();
  let s = newMeasure(policy);
  s = apply(
    s,
    ev('measure.granted', {
      municipality: policy.municipality,
      measureType: policy.measureType.slug,
      package: 'roed',
      caseId: 'C-1',
      caseworkerId: 'cw-1',
      grantedOn: '2026-11-30',
      startOn: '2026-11-30',
      childBirthDate: '2015-03-01',
    }),
    NOW,
  );
  if (followedUp)
    s = apply(
      s,
      ev('measure.follow-up-held', {
        heldOn: '2026-11-30',
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
      NOW,
    );
  return tick(s, NOW);
}

function viewAt(id: string, revision: number, s: MeasureSnapshot): MeasureView {
  return viewOf(id, `wf-${id}`, revision, s, deadlines(s), () => 0);
}

const machineOf = (s: MeasureSnapshot): MachineState => ({ state: s.state, facts: s.context.facts, raised: [] });

async function stored(id: string) {
  const m = await pool.query(
    'SELECT state, revision, snapshot, snapshot_revision FROM measures WHERE measure_id = $1',
    [id],
  );
  const d = await pool.query<{ deadline_id: string; status: string; due_on: string }>(
    `SELECT deadline_id, status, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM deadlines WHERE measure_id = $1
`,
    [id],
  );
  // Sorted here, as idsOf sorts: the database's collation need not order ids as JavaScript does.
  const byId = (a: { deadline_id: string }, b: { deadline_id: string }) => (a.deadline_id < b.deadline_id ? -1 : 1);
  return { row: m.rows[0], deadlines: d.rows.sort(byId) };
}

const idsOf = (s: MeasureSnapshot) =>
  deadlines(s)
    .map((d) => d.id)
    .sort();

test('the view, its deadlines and the machine state are written together, the birth date left out', async () => {
  const s = measure();
  await repo.project(viewAt('P-1', 1, s), machineOf(s));
  const got = await stored('P-1');
  assert.equal(got.row.revision, '1');
  assert.equal(got.row.snapshot_revision, '1');
  assert.equal(got.row.snapshot.hasBirthDate, true);
  assert.equal(got.row.snapshot.facts.grant.childBirthDate, undefined);
  assert.deepEqual(
    got.deadlines.map((d) => d.deadline_id),
    idsOf(s),
  );
  assert.ok(got.deadlines.length > 0);
});

test('a newer revision replaces the deadlines: changed ones updated, ones no longer derived gone', async () => {
  // The view is the whole truth for its revision: here the later one has a deadline fewer (as a
  // policy change can leave it) and another back to pending.
  const first = measure(true);
  const later = measure();
  await repo.project(viewAt('P-2', 1, first), machineOf(first));
  assert.ok((await stored('P-2')).deadlines.some((d) => d.deadline_id === 'follow-up#1'));
  await repo.project(viewAt('P-2', 3, later)); // no machine state: the stored one stays
  const got = await stored('P-2');
  assert.equal(got.row.revision, '3');
  assert.equal(got.row.snapshot_revision, '1');
  assert.deepEqual(
    got.deadlines.map((d) => d.deadline_id),
    idsOf(later),
  );
  assert.equal(got.deadlines.find((d) => d.deadline_id === 'first-follow-up')?.status, 'pending');
});

test('an older revision arriving late writes nothing, deadlines and machine state included', async () => {
  const first = measure();
  const later = measure(true);
  await repo.project(viewAt('P-3', 5, later), machineOf(later));
  const before = await stored('P-3');
  await repo.project(viewAt('P-3', 4, first), machineOf(first));
  assert.deepEqual(await stored('P-3'), before);
});

test('interleaved writers: whatever the order they land in, the highest revision stays', async () => {
  const a = measure();
  const b = measure(true);
  for (let i = 0; i < 10; i++) {
    const hi = 2 * i + 2;
    await Promise.all([repo.project(viewAt('P-4', hi, b), machineOf(b)), repo.project(viewAt('P-4', hi - 1, a))]);
    const got = await stored('P-4');
    assert.equal(got.row.revision, String(hi));
    assert.deepEqual(
      got.deadlines.map((d) => d.deadline_id),
      idsOf(b),
    );
  }
});

test('a write the database refuses leaves the projection as it was', async () => {
  const first = measure();
  await repo.project(viewAt('P-5', 1, first), machineOf(first));
  const before = await stored('P-5');
  const later = measure(true);
  const bad = viewAt('P-5', 2, later);
  // A deadline the table cannot hold (no basis): the measure row was already upserted in the
  // statement when the deadline is refused, and must not stay so.
  bad.deadlines = bad.deadlines.map((d, i) => (i === 0 ? { ...d, basis: null as never } : d));
  await assert.rejects(repo.project(bad, machineOf(later)), /null value in column "basis"/);
  assert.deepEqual(await stored('P-5'), before);
});

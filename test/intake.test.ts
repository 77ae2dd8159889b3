// The intake under hostile input, races and faults, against the real stack (Temporal dev server,
// PostgreSQL, worker, API): every delivery stored or refused with a reason, nothing wedged,
// retrying always safe. PostgreSQL is started here so that it can be stopped and started again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dateOf } from '../machines/dates';
import { startPostgres, type RunningPostgres } from '../stack/postgres';
import { freePort } from '../stack/ports';
import { testPolicy } from './fixtures/test-policy';
import { eventUpdate } from '../workflows/definitions';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import fc from 'fast-check';
import { buildApi } from '../api/server';
import { catalogueSource } from '../policies/source';
import { testMunicipality } from './fixtures/test-policy';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const grant = (subject: string, data: Record<string, unknown> = {}) =>
  event('measure.granted', subject, {
    municipality: 'testby',
    measureType: 'hurtig-stoette',
    package: 'roed',
    caseId: 'C-1',
    caseworkerId: 'cw-1',
    grantedOn: today(),
    startOn: today(),
    ...data,
  });

describe('the intake: hostile input, races and faults', { timeout: 600_000 }, () => {
  let s: TestStack;
  let pg: RunningPostgres;
  let pgDir: string;
  let pgPort: number;
  const startPg = async () => {
    const url = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      return await startPostgres({ dataDir: join(pgDir, 'postgres'), port: pgPort });
    } finally {
      if (url !== undefined) process.env.DATABASE_URL = url;
    }
  };

  before(async () => {
    pgDir = mkdtempSync(join(tmpdir(), 'indsatsflow-intake-'));
    chmodSync(pgDir, 0o755);
    pgPort = await freePort();
    pg = await startPg();
    process.env.DATABASE_URL = pg.url;
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
    await pg?.stop();
    rmSync(pgDir, { recursive: true, force: true });
  });

  it('a measure whose projection cannot be written answers, instead of wedging (startOn 9999-12-31)', async () => {
    // Past the intake's date window, straight to the workflow, as an older intake let it through.
    const id = measureId('WEDGE');
    const e = { ...grant(id, { startOn: '9999-12-31' }) };
    const started = Date.now();
    const outcome = await s.client.connection
      .withDeadline(Date.now() + 30_000, () =>
        s.client.workflow.executeUpdateWithStart(eventUpdate, {
          args: [{ type: 'measure.granted', eventId: `${e.source}/${e.id}`, at: Date.now(), data: e.data } as never],
          updateId: `${e.source}/${e.id}`,
          startWorkflowOperation: new WithStartWorkflowOperation<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
            workflowId: measureWorkflowId('testby', id),
            taskQueue: TASK_QUEUE,
            args: [{ measureId: id, policy: testPolicy() }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      )
      .then(
        () => 'accepted',
        (err: unknown) => err,
      );
    assert.ok(outcome instanceof WorkflowUpdateFailedError, `the update fails, not hangs: ${String(outcome)}`);
    assert.ok(outcome.cause instanceof ApplicationFailure);
    assert.equal(outcome.cause.type, 'projection-failed');
    assert.ok(Date.now() - started < 20_000);
    // And through the intake it is bad input, with the field named.
    const r = await s.post(grant(measureId(), { startOn: '9999-12-31' }));
    assert.equal(r.status, 400);
    assert.deepEqual(
      r.body.issues.map((i: { path: string }) => i.path),
      ['data.startOn'],
    );
  });

  /** Rows in the inbox now: every delivery must add what it carried. */
  const inboxCount = async () => Number((await s.pool.query('SELECT count(*) AS n FROM inbox')).rows[0].n);
  const lastRows = async (n: number) =>
    (
      await s.pool.query(
        `SELECT status, answer, body IS NOT NULL AS body, raw IS NOT NULL AS raw, raw_bytes IS NOT NULL AS bytes,
                content_type, content_length, remote_addr FROM inbox ORDER BY seq DESC LIMIT $1`,
        [n],
      )
    ).rows.reverse();
  const inject = (payload: string | Buffer, contentType = 'application/json') =>
    s.api.inject({ method: 'POST', url: '/v1/events', payload, headers: { 'content-type': contentType } });

  it('stores every hostile body and answers 400 with where', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const withData = (data: unknown) => JSON.stringify({ ...grant(measureId()), data });
    // JSON.stringify itself cannot go 10,000 deep: the hostile text is written by hand.
    const withDeepData = () => JSON.stringify({ ...grant(measureId()), data: 0 }).replace('"data":0', `"data":${deep}`);
    const bodies: Array<[string, string | Buffer, string]> = [
      ['a NUL character', withData({ municipality: 'test\u0000by' }), 'data.municipality'],
      ['a lone surrogate', JSON.stringify({ ...grant(measureId()), id: 'x\ud800' }), 'id'],
      ['a lone surrogate in a key', withData({ '\udc00': 1 }), 'data.municipality'],
      ['nesting 10,000 deep', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), 'specversion'],
      ['nesting 10,000 deep in data', withDeepData(), 'data'],
      ['a huge string', withData({ caseId: 'x'.repeat(4_000_000) }), 'data.municipality'],
      ['not JSON', '{"specversion": "1.0", \u0000', '(body)'],
      ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]), '(body)'],
      ['a date far away', JSON.stringify(grant(measureId(), { startOn: '0000-01-01' })), 'data.startOn'],
      [
        'a birth after the grant',
        JSON.stringify(grant(measureId(), { childBirthDate: '2199-01-01' })),
        'data.childBirthDate',
      ],
      ['a start long before the grant', JSON.stringify(grant(measureId(), { startOn: '2001-01-01' })), 'data.startOn'],
      ['an event time far away', JSON.stringify({ ...grant(measureId()), time: '2999-01-01T00:00:00Z' }), 'time'],
    ];
    for (const [what, body, path] of bodies) {
      const before = await inboxCount();
      const r = await inject(body);
      assert.equal(r.statusCode, 400, `${what}: ${r.body.slice(0, 300)}`);
      assert.ok(
        r.json().issues.some((i: { path: string }) => i.path === path),
        `${what} names ${path}: ${r.body.slice(0, 300)}`,
      );
      assert.equal(await inboxCount(), before + 1, `${what} is stored`);
      const [row] = await lastRows(1);
      assert.equal(row.status, 400, what);
      assert.ok(row.body || row.raw || row.bytes, `${what}: what arrived is kept`);
      assert.equal(row.content_type, 'application/json');
      assert.ok(row.remote_addr, what);
    }
  });

  it('records a wrong content type (415), an oversized body and an oversized batch (413)', async () => {
    const before = await inboxCount();
    const plain = await inject('hello', 'text/plain');
    assert.equal(plain.statusCode, 415);
    assert.equal(plain.json().error, 'unsupported-media-type');
    // Over the wire, so that the size is really refused before the body is read.
    const big = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(11 * 1024 * 1024) }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: string }).error, 'too-large');
    const batch = await inject(JSON.stringify(Array.from({ length: 1_001 }, () => grant(measureId()))));
    assert.equal(batch.statusCode, 413);
    assert.equal(batch.json().error, 'too-many-events');
    assert.equal(await inboxCount(), before + 3);
    const rows = await lastRows(3);
    assert.deepEqual(
      rows.map((r) => r.status),
      [415, 413, 413],
    );
    assert.equal(rows[0].content_type, 'text/plain');
    assert.ok(rows[0].raw, 'the wrong type is kept as it came');
    assert.ok(Number(rows[1].content_length) > 11 * 1024 * 1024, 'the oversized body is known by its length');
    assert.ok(rows[2].raw, 'the oversized batch is kept');
  });

  it('judges a batch item by item: a poisoned item stops nothing', async () => {
    const [a, b] = [measureId('PA'), measureId('PB')];
    const items = [
      JSON.stringify(grant(a)),
      JSON.stringify({ ...grant(measureId()), data: { caseId: '\u0000' } }),
      '['.repeat(10_000) + ']'.repeat(10_000),
      JSON.stringify({ ...grant(measureId()), id: '\ud800' }),
      JSON.stringify(grant(b)),
    ];
    const before = await inboxCount();
    const r = await inject(`[${items.join(',')}]`);
    assert.equal(r.statusCode, 207, r.body.slice(0, 500));
    assert.deepEqual(
      r.json().map((x: { status: number }) => x.status),
      [202, 400, 400, 400, 202],
    );
    assert.equal((await s.get(`/v1/measures/${b}`)).status, 200, 'the item after the poisoned ones is applied');
    const rows = await lastRows(5);
    assert.equal(await inboxCount(), before + 5, 'each item is stored');
    assert.ok(rows.every((row) => row.body || row.raw || row.bytes));
  });

  const followUp = (id: string) =>
    event('measure.follow-up-held', id, { heldOn: today(), participants: ['executor', 'parents'] });
  const historyOf = async (id: string) =>
    ((await s.get(`/v1/measures/${id}`)).body?.history ?? []) as Array<{ type: string }>;

  it('a resend after any failure gets the answer it would have got, decided by the workflow', async () => {
    // A crash between apply and answer: the workflow applied the grant, the answer was never stored.
    const id = measureId('RS');
    const g = grant(id);
    assert.equal((await s.post(g)).status, 202);
    await s.pool.query('UPDATE inbox SET status = NULL, answer = NULL WHERE event_id = $1', [g.id]);
    const again = await s.post(g);
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.equal(again.body.duplicate, true, 'a re-sent grant is a duplicate, not "already granted"');
    const fu = followUp(id);
    assert.equal((await s.post(fu)).status, 202);
    await s.pool.query('UPDATE inbox SET status = 503, answer = NULL WHERE event_id = $1', [fu.id]);
    const fuAgain = await s.post(fu);
    assert.equal(fuAgain.status, 202);
    assert.equal(fuAgain.body.duplicate, true);
    // A second grant of the same measure under another id is still refused by the machine.
    const second = await s.post(grant(id));
    assert.equal(second.status, 409);

    // A timeout: the worker is away, the intake answers 503 with Retry-After instead of waiting.
    const api = await buildApi({
      pool: s.pool,
      temporal: s.client,
      policies: catalogueSource([testMunicipality()]),
      intake: { updateTimeoutMs: 1_500, grantWaitMs: 500 },
    });
    let workerStopped = false;
    try {
      await s.stopWorker();
      workerStopped = true;
      const late = followUp(id);
      const t0 = Date.now();
      const r = await api.inject({ method: 'POST', url: '/v1/events', payload: late });
      assert.equal(r.statusCode, 503, r.body);
      assert.ok(Number(r.headers['retry-after']) > 0);
      assert.ok(Date.now() - t0 < 5_000, 'answered quickly');
      await s.startWorker();
      workerStopped = false;
      const resent = await s.post(late);
      assert.equal(resent.status, 202, JSON.stringify(resent.body));
      // A duplicate may be answered while the first delivery's projection is still being written.
      await eventually(
        async () => (await historyOf(id)).filter((h) => h.type === 'measure.follow-up-held').length === 2,
        'the timed-out follow-up applied',
      );
      await new Promise((r) => setTimeout(r, 500));
      const applied = (await historyOf(id)).filter((h) => h.type === 'measure.follow-up-held').length;
      assert.equal(applied, 2, 'the timed-out follow-up is applied once, however often it arrives');
    } finally {
      if (workerStopped) await s.startWorker();
      await api.close();
    }
  });

  it('a resent batch is answered item by item, decided by the workflow, and applied once', async () => {
    const id = measureId('RB');
    const [g, fu] = [grant(id), followUp(id)];
    const poisoned = { ...grant(measureId()), data: { caseId: '\u0000' } };
    const batch = [g, poisoned, fu];
    const pairs = (r: { body: Array<{ status: number; duplicate?: boolean }> }) =>
      r.body.map((a) => [a.status, a.duplicate]);
    const first = await s.post(batch);
    assert.equal(first.status, 207, JSON.stringify(first.body));
    assert.deepEqual(pairs(first), [
      [202, false],
      [400, undefined],
      [202, false],
    ]);
    // A crash between apply and answer: no answer of the measure's events is stored. The grant and
    // its follow-up reach the workflow again in one update, and its seen set answers each.
    await s.pool.query('UPDATE inbox SET status = NULL, answer = NULL WHERE subject = $1', [id]);
    const again = await s.post(batch);
    assert.deepEqual(pairs(again), [
      [202, true],
      [400, undefined],
      [202, true],
    ]);
    // Once more with a new event of the measure: only that one is applied.
    const fu2 = followUp(id);
    const third = await s.post([g, fu, fu2]);
    assert.deepEqual(pairs(third), [
      [202, true],
      [202, true],
      [202, false],
    ]);
    const held = (await historyOf(id)).filter((h) => h.type === 'measure.follow-up-held');
    assert.equal(held.length, 2, 'each follow-up applied once');

    // Closed, and the answers lost again: the closed measure's workflow still knows its events.
    const close = event('measure.closed', id, { closedOn: today(), reason: 'goal-reached' });
    assert.equal((await s.post(close)).status, 202);
    await eventually(async () => (await s.get(`/v1/measures/${id}`)).body?.state === 'closed', 'closed');
    await s.pool.query('UPDATE inbox SET status = NULL, answer = NULL WHERE subject = $1', [id]);
    const afterClose = await s.post([g, close]);
    assert.deepEqual(pairs(afterClose), [
      [202, true],
      [202, true],
    ]);
    assert.equal((await s.post(followUp(id))).status, 409, 'a new event on a closed measure is refused');
  });

  it('an event sent with its grant waits for it, or is told to retry: never a final 404', async () => {
    for (let i = 0; i < 3; i++) {
      const id = measureId('RACE');
      const g = grant(id);
      const fu = followUp(id);
      const [a, b] = await Promise.all([s.post(g), s.post(fu)]);
      assert.equal(a.status, 202);
      assert.ok(b.status === 202 || b.body.error === 'not-yet-granted', JSON.stringify(b.body));
      if (b.status !== 202) assert.equal((await s.post(fu)).status, 202);
    }
    const unknown = await s.post(followUp(measureId('NEVER')));
    assert.equal(unknown.status, 404, 'a measure never granted is still unknown');
  });

  it('PostgreSQL stopped under traffic: 503 with Retry-After quickly, no crash, recovery, no 202 lost', async () => {
    const accepted: string[] = [];
    const answers: number[] = [];
    let stop = false;
    // Started apart and pausing between grants, so that the outage does not find all three inside
    // an update (which rightly waits for the database to come back, then answers 202): one of them
    // sends during it.
    const sender = async (startAfterMs: number) => {
      await new Promise((res) => setTimeout(res, startAfterMs));
      while (!stop) {
        const id = measureId('PG');
        const g = grant(id);
        for (;;) {
          const t0 = Date.now();
          const r = await s.post(g).catch((err: Error) => ({ status: -1, body: err.message }));
          answers.push(r.status);
          assert.ok(r.status === 202 || r.status === 503, `answered ${r.status}: ${JSON.stringify(r.body)}`);
          // An event stored before the outage waits at most for its workflow (20 s) before its 503.
          if (r.status === 503) assert.ok(Date.now() - t0 < 22_000, `a 503 comes in time: ${Date.now() - t0} ms`);
          if (r.status === 202) break;
          await new Promise((res) => setTimeout(res, 200));
        }
        accepted.push(id);
        await new Promise((res) => setTimeout(res, 300));
      }
    };
    const senders = Promise.all([sender(0), sender(150), sender(300)]).finally(() => (stop = true));
    await new Promise((r) => setTimeout(r, 1_500));
    await pg.stop();
    const t0 = Date.now();
    const down = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(grant(measureId())),
    });
    assert.equal(down.status, 503);
    assert.ok(Number(down.headers.get('retry-after')) > 0, 'Retry-After');
    assert.ok(Date.now() - t0 < 3_000, 'a new event is refused at once while the database is down');
    // Down until the senders have met the outage too: a request in flight when it began (a cold
    // worker, a loaded machine) is answered only at its workflow's deadline (20 s).
    for (
      const since = Date.now();
      Date.now() - since < 4_000 || (!answers.includes(503) && Date.now() - since < 25_000);
    )
      await new Promise((r) => setTimeout(r, 250));
    pg = await startPg();
    await new Promise((r) => setTimeout(r, 3_000));
    stop = true;
    await senders;
    assert.ok(answers.includes(503), 'the outage was seen');
    assert.ok(accepted.length > 3);
    // Everything answered 202 is in the inbox as 202 and reaches the projection.
    const rows = await s.pool.query(
      `SELECT DISTINCT subject FROM inbox WHERE status = 202 AND subject = ANY($1::text[])`,
      [accepted],
    );
    assert.equal(rows.rows.length, accepted.length);
    await eventually(async () => {
      const m = await s.pool.query('SELECT count(*) AS n FROM measures WHERE measure_id = ANY($1::text[])', [accepted]);
      return Number(m.rows[0].n) === accepted.length;
    }, 'every accepted grant projected');
  });

  it('fuzz: 10,000 generated hostile events, no 5xx, every delivery stored', async () => {
    const hostileString = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('\u0000', '\ud800', 'a\udc00b', '', ' ', '2026-02-30', '9999-12-31', '0000-01-01', '1899-12-31'),
      fc.string({ minLength: 300, maxLength: 2_000 }),
    );
    const value: fc.Arbitrary<unknown> = fc.oneof(
      hostileString,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(hostileString, { maxLength: 3 }),
      fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
    );
    const types = ['measure.granted', 'measure.follow-up-held', 'measure.closed', 'measure.extended', 'nonsense'];
    const hostileEvent = fc
      .record(
        {
          specversion: fc.oneof({ weight: 1, arbitrary: fc.constant('1.0') }, { weight: 2, arbitrary: value }),
          id: fc.oneof({ weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: value }),
          source: fc.oneof({ weight: 1, arbitrary: fc.constant('fuzz') }, { weight: 2, arbitrary: value }),
          type: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...types) }, { weight: 2, arbitrary: value }),
          subject: fc.oneof({ weight: 1, arbitrary: fc.constantFrom('FZ-1', 'FZ-2') }, { weight: 2, arbitrary: value }),
          time: fc.oneof(
            { weight: 1, arbitrary: fc.constant(new Date().toISOString()) },
            { weight: 2, arbitrary: value },
          ),
          data: fc.oneof(
            fc.record({
              municipality: fc.oneof(fc.constant('testby'), value),
              measureType: fc.oneof(fc.constant('hurtig-stoette'), value),
              grantedOn: fc.oneof(fc.constant(today()), value),
              startOn: fc.oneof(fc.constant(today()), value),
              heldOn: fc.oneof(fc.constant(today()), value),
            }),
            fc.dictionary(hostileString, value, { maxKeys: 4 }),
            value,
          ),
        },
        { requiredKeys: [] },
      )
      .map((e) => JSON.stringify(e));
    const deep = fc.integer({ min: 300, max: 12_000 }).map((n) => '{"data":'.repeat(n) + '0' + '}'.repeat(n));
    const item = fc.oneof({ weight: 20, arbitrary: hostileEvent }, { weight: 1, arbitrary: deep });
    const items = fc.sample(item, { numRuns: 10_000, seed: 11 });
    // Batches of every size up to 400, and single events (a body that is one event, not an array).
    const bodies: string[][] = [];
    for (let i = 0, k = 0; i < items.length; k++) {
      const n = [1, 1, 3, 40, 400, 17, 250, 1, 100][k % 9];
      bodies.push(items.slice(i, i + n));
      i += n;
    }
    let events = bodies.reduce((n, b) => n + b.length, 0);
    // And some valid ones, which reach Temporal.
    const valid = Array.from({ length: 20 }, () => JSON.stringify(grant(measureId('FZ'))));
    events += valid.length;
    assert.ok(events >= 10_000, `${events} events`);
    // The real API on the real database and Temporal, in-process; events for unknown measures are
    // not given the grace a grant in flight gets, so the run stays within CI's time.
    const api = await buildApi({
      pool: s.pool,
      temporal: s.client,
      policies: catalogueSource([testMunicipality()]),
      intake: { grantWaitMs: 0 },
    });
    const inject = (payload: string | Buffer) =>
      api.inject({ method: 'POST', url: '/v1/events', payload, headers: { 'content-type': 'application/json' } });
    const before = await inboxCount();
    let stored = 0;
    const statuses = new Map<number, number>();
    for (const b of [...bodies, [valid.join(',')]]) {
      const r = await inject(b.length === 1 && bodies.indexOf(b) % 2 === 0 ? b[0] : `[${b.join(',')}]`);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      assert.ok(r.statusCode < 500, `${r.statusCode}: ${r.body.slice(0, 300)}`);
      stored += b.length === 1 && b[0] === valid.join(',') ? valid.length : b.length;
    }
    // Bodies that are not JSON at all: one row each.
    const junk = fc.sample(fc.string({ unit: 'binary', maxLength: 200 }), { numRuns: 200, seed: 12 });
    for (const j of junk) {
      const r = await inject(Buffer.from(j, 'utf8'));
      assert.ok(r.statusCode < 500, `${r.statusCode}: ${r.body.slice(0, 300)}`);
      stored += 1;
    }
    assert.equal(await inboxCount(), before + stored, 'every delivery is stored');
    assert.ok((statuses.get(202) ?? 0) + (statuses.get(207) ?? 0) >= 1, 'the valid ones were accepted');
    await api.close();
  });
});

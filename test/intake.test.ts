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
import { addToDate, dateOf } from '../machines/dates';
import { startPostgres, type RunningPostgres } from '../stack/postgres';
import { freePort } from '../stack/ports';
import { testPolicy } from './fixtures/test-policy';
import { eventUpdate } from '../workflows/definitions';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import { event, measureId, startTestStack, type TestStack } from './support/stack';

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

describe('the intake: hostile input, races and faults', { timeout: 180_000 }, () => {
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
});

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
});
void addToDate;

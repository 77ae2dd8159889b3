// Replays histories (binary protobuf, as Temporal stores them) recorded by the end-to-end tests (RECORD_HISTORIES=1 npm test) against the
// current workflow code: a change that would break running measures fails here, before it ships.
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { WORKFLOW_BUNDLE_OPTIONS } from '../temporal/bundle';
import { TEST_CODEC } from './support/stack';

const DIR = join(__dirname, 'histories');

it('replays the recorded measure histories without non-determinism', { timeout: 120_000 }, async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.history.bin'))
    .sort();
  assert.ok(files.length >= 5, `expected recorded histories in ${DIR}`);
  const workflowBundle = await bundleWorkflowCode({
    // As every worker bundles them: untraced histories must replay through them unchanged.
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: new DefaultLogger('WARN'),
  });
  const histories = files.map((f) => ({
    workflowId: f,
    history: temporal.api.history.v1.History.decode(readFileSync(join(DIR, f))),
  }));
  let n = 0;
  for await (const r of Worker.runReplayHistories(
    { workflowBundle, replayName: 'recorded', dataConverter: { payloadCodecs: [TEST_CODEC] } },
    histories,
  )) {
    n += 1;
    assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.message}`);
  }
  assert.equal(n, files.length);
});

// /metrics and the probes against the real stack: the counters move with the events sent, the
// figures read from the database at scrape time see the escalations the workflow raised.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dateOf } from '../machines/dates';
import { supervise, waitReady } from '../stack/cluster/process';
import { freePort } from '../stack/ports';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());

/** The value of one sample of the exposition text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('metrics and probes', { timeout: 180_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });
  const metrics = async () => (await fetch(`${s.apiUrl}/metrics`)).text();

  it('counts events by type and answer, and times the intake', async () => {
    const id = measureId('MET');
    const granted = event('measure.granted', id, {
      caseId: 'C-1',
      caseworkerId: 'cw-1',
      teamId: 'team-nord',
      municipality: 'testby',
      measureType: 'hurtig-stoette',
      package: 'roed',
      grantedOn: today(),
      startOn: today(),
    });
    assert.equal((await s.post(granted)).status, 202);
    assert.equal((await s.post(granted)).status, 202);
    assert.equal((await s.post({ specversion: '1.0', type: 'measure.granted' })).status, 400);
    const text = await metrics();
    assert.equal(sample(text, 'indsatsflow_events_received_total', { type: 'measure.granted', answer: 'accepted' }), 1);
    assert.equal(
      sample(text, 'indsatsflow_events_received_total', { type: 'measure.granted', answer: 'duplicate' }),
      1,
    );
    assert.equal(sample(text, 'indsatsflow_events_received_total', { type: 'measure.granted', answer: 'invalid' }), 1);
    assert.equal(sample(text, 'indsatsflow_intake_duration_seconds_count', { mode: 'single' }), 3);

    // The intake's refusals of a delivery as a whole, by type where it is known (issue 11).
    const plain = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        'ce-specversion': '1.0',
        'ce-id': `txt-${id}`,
        'ce-source': 'test/metrics',
        'ce-type': 'measure.closed',
        'ce-subject': id,
      },
      body: 'closed',
    });
    assert.equal(plain.status, 415);
    const tooMany = await s.post(Array.from({ length: 1_001 }, () => granted));
    assert.equal(tooMany.status, 413);
    const refusals = await metrics();
    assert.equal(
      sample(refusals, 'indsatsflow_events_received_total', {
        type: 'measure.closed',
        answer: 'unsupported-media-type',
      }),
      1,
    );
    assert.equal(sample(refusals, 'indsatsflow_events_received_total', { type: 'unknown', answer: 'too-large' }), 1);

    // The test policy: the first follow-up is overdue after 4 s, the caseworker told at once.
    const after = await eventually(async () => {
      const t = await metrics();
      return (
        (sample(t, 'indsatsflow_escalations_raised_total', { municipality: 'testby', role: 'sagsbehandler' }) ?? 0) >=
          1 && t
      );
    }, 'the escalation in /metrics');
    assert.ok((sample(after, 'indsatsflow_overdue_deadlines', { municipality: 'testby' }) ?? 0) >= 1);
    assert.ok((sample(after, 'indsatsflow_outbox_backlog') ?? -1) >= 1, 'no NOTIFY_URL: the escalation waits');
    assert.notEqual(sample(after, 'indsatsflow_process_resident_memory_bytes'), undefined);
  });

  it('counts escalations resolved by municipality, role and resolution, and the outbox by kind', async () => {
    const id = measureId('RESM');
    const granted = event('measure.granted', id, {
      caseId: 'C-2',
      caseworkerId: 'cw-2',
      municipality: 'testby',
      measureType: 'hurtig-stoette',
      package: 'groen',
      grantedOn: today(),
      startOn: today(),
    });
    assert.equal((await s.post(granted)).status, 202);
    await eventually(async () => (await s.get(`/v1/escalations?measureId=${id}`)).body.items.length >= 1, 'raised');
    const before = sample(await metrics(), 'indsatsflow_escalations_resolved_total', {
      municipality: 'testby',
      role: 'sagsbehandler',
      resolution: 'met-late',
    });
    const held = event('measure.follow-up-held', id, {
      heldOn: today(),
      participants: ['executor', 'parents'],
      actionPlanDecision: 'keep',
    });
    assert.equal((await s.post(held)).status, 202);
    const text = await eventually(async () => {
      const t = await metrics();
      const n = sample(t, 'indsatsflow_escalations_resolved_total', {
        municipality: 'testby',
        role: 'sagsbehandler',
        resolution: 'met-late',
      });
      return (n ?? 0) > (before ?? 0) && t;
    }, 'the resolution in /metrics');
    // No NOTIFY_URL: the resolution waits behind its escalation; nothing was tried, nothing failed.
    assert.ok((sample(text, 'indsatsflow_outbox_backlog', { kind: 'resolved' }) ?? 0) >= 1);
    assert.ok((sample(text, 'indsatsflow_outbox_backlog', { kind: 'raised' }) ?? 0) >= 1);
    assert.equal(sample(text, 'indsatsflow_outbox_delivery_failures_total', { kind: 'raised' }), 0);
    assert.equal(sample(text, 'indsatsflow_outbox_delivery_failures_total', { kind: 'resolved' }), 0);
    for (const name of ['indsatsflow_rollout_measures', 'indsatsflow_intake_duration_seconds']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exposed`);
    }
  });

  it("serves the Temporal SDK's worker metrics on TEMPORAL_METRICS_BIND (serve worker)", async () => {
    // The worker role as operators run it, against this stack's Temporal and PostgreSQL.
    const dir = mkdtempSync(join(tmpdir(), 'indsatsflow-sdk-metrics-'));
    const bundle = join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, s.workflowBundle.code);
    const [probe, sdk] = [await freePort(), await freePort()];
    const worker = supervise(
      'worker',
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'serve.ts'), 'worker'],
      {
        cwd: join(__dirname, '..'),
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: s.temporalAddress,
          TEMPORAL_NAMESPACE: s.namespace,
          DATABASE_URL: s.stack!.postgres.url,
          INDSATSFLOW_CODEC_KEY: Buffer.alloc(32, 7).toString('base64'),
          INDSATSFLOW_KEYRING: join(dir, 'keys'),
          WORKFLOW_BUNDLE: bundle,
          HOST: '127.0.0.1',
          PORT: String(probe),
          TEMPORAL_METRICS_BIND: `127.0.0.1:${sdk}`,
          OTEL_EXPORTER_OTLP_ENDPOINT: '',
        },
      },
    );
    try {
      await waitReady(
        worker,
        async () => {
          const res = await fetch(`http://127.0.0.1:${probe}/health/ready`);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
        120_000,
      );
      const text = await eventually(async () => {
        const t = await (await fetch(`http://127.0.0.1:${sdk}/metrics`)).text();
        return /^temporal_num_pollers\{/m.test(t) && t;
      }, 'the SDK metrics');
      assert.match(text, /^temporal_worker_start(_total)?\{.*task_queue="indsatsflow-measures"/m);
      // The role's own side port: process metrics, Prometheus text.
      const own = await (await fetch(`http://127.0.0.1:${probe}/metrics`)).text();
      assert.notEqual(sample(own, 'indsatsflow_process_resident_memory_bytes'), undefined);
    } finally {
      await worker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers live, and ready with every check named', async () => {
    const live = await s.get('/health/live');
    assert.deepEqual(live, { status: 200, body: { status: 'live' } });
    const ready = await s.get('/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(ready.body.status, 'ready');
    assert.deepEqual(Object.keys(ready.body.checks).sort(), ['database', 'migrations', 'temporal', 'workerPolling']);
    assert.match(ready.body.checks.workerPolling.detail, /poller/);
  });
});

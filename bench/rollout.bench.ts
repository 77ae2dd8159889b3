// Benchmark: roll a timer change out to N running measures on the embedded stack (Temporal dev
// server on SQLite, embedded PostgreSQL, one worker), against the bare cost of sending the same
// number of `policy` updates in the same run, and time the preview for the same N measures.
//
//   npm run bench:rollout -- [N]          (default 10000; BENCH_CONCURRENCY for grants, default 16)
//
// The dev server has one history shard and one SQLite connection: read the ratio, not the
// absolute rate, as what carries over to a real cluster.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dateOf } from '../machines/dates';
import { measurePolicyOf } from '../policies/source';
import { startServices } from '../services';
import { policyUpdate } from '../workflows/definitions';
import { measureWorkflowId } from '../workflows/ids';
import { benchDataDir, hjorringGrant, inFlight, log, postEvent, runBench, secs } from './support';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 10_000);
const GRANT_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const UPDATE_CONCURRENCY = 10; // the rollout's own default: updates in flight at once

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const dataDir = benchDataDir();
  const t0 = Date.now();
  const s = await startServices({
    dataDir,
    uiPort: null,
    persistTemporal: true,
    temporalArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
  });
  log(`stack up in ${secs(Date.now() - t0)} s; ${cpus().length} cores; N = ${N}`);
  const http = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  try {
    const today = dateOf(Date.now());
    const ids = Array.from({ length: N }, (_, i) => `BENCH-${String(i).padStart(6, '0')}`);
    const tg = Date.now();
    let failed = 0;
    // A grant not answered 202 (a timeout on an overloaded host) may have no workflow to update.
    const refused = new Set<string>();
    await inFlight(GRANT_CONCURRENCY, ids.length, async (i) => {
      const id = ids[i];
      const r = await postEvent(s.apiUrl, hjorringGrant(id, i, today));
      if (r.status !== 202) {
        failed++;
        refused.add(id);
      }
      if ((i + 1) % 1000 === 0) log(`granted ${i + 1}`);
    });
    const grantMs = Date.now() - tg;
    log(`granted ${N} in ${secs(grantMs)} s (${(N / (grantMs / 1000)).toFixed(1)}/s), ${failed} failed`);
    for (;;) {
      const c = await s.pool.query(
        `SELECT count(*)::int AS n FROM measures WHERE snapshot IS NOT NULL AND measure_id LIKE 'BENCH-%'`,
      );
      if (c.rows[0].n >= N - failed) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    const change = {
      measureType: 'familiebehandling',
      timer: 'first-follow-up',
      duration: 'P6W',
      effectiveFrom: today,
      reason: 'bench: first follow-up after 6 weeks',
      previewLimit: 0,
    };
    const tp = Date.now();
    const preview = await http('PATCH', '/v1/policies/hjorring/timers', change);
    const previewMs = Date.now() - tp;
    const p = preview.body.preview;
    log(
      `preview: ${previewMs} ms over HTTP (load ${p.timing.loadMs} ms, compute ${p.timing.computeMs} ms): ${p.runningMeasures} running, ${p.affectedMeasures} affected, ${p.movedDeadlines} deadlines moved`,
    );

    // The bare cost: the same number of updates, same concurrency, with the version the measures
    // already run (the handler returns at once): one round trip and one workflow task each.
    const v1 = (await http('GET', '/v1/policies/hjorring?version=1')).body;
    void v1;
    const doc = (
      await s.pool.query(`SELECT document FROM policy_versions WHERE municipality = 'hjorring' AND version = 1`)
    ).rows[0].document;
    const noop = {
      policy: measurePolicyOf(
        doc,
        doc.measureTypes.find((t: any) => t.slug === 'familiebehandling'),
      ),
      version: 1,
      reason: 'bench baseline',
      author: 'bench',
      rolloutId: 'baseline',
    };
    const tb = Date.now();
    const live = ids.filter((id) => !refused.has(id));
    await inFlight(UPDATE_CONCURRENCY, live.length, async (i) => {
      await s.client.workflow
        .getHandle(measureWorkflowId('hjorring', live[i]))
        .executeUpdate(policyUpdate, { args: [noop], updateId: 'baseline' });
    });
    const baseMs = Date.now() - tb;
    log(`baseline: ${N} bare updates in ${secs(baseMs)} s (${(N / (baseMs / 1000)).toFixed(1)}/s)`);

    const tr = Date.now();
    const applied = await http('PATCH', '/v1/policies/hjorring/timers', { ...change, dryRun: false });
    if (applied.status !== 201) throw new Error(JSON.stringify(applied.body));
    let st: any;
    for (;;) {
      st = (await http('GET', `/v1/policies/rollouts/${applied.body.rollout.id}`)).body;
      if (st.status === 'completed' || st.status === 'stopped') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const rolloutMs = Date.now() - tr;
    const moved = (st.outcomes.moved ?? 0) + (st.outcomes.updated ?? 0);
    const inWorkflowMs = new Date(st.finishedAt).getTime() - new Date(st.startedAt).getTime();
    log(
      `rollout: ${moved} measures moved in ${secs(rolloutMs)} s wall (${secs(inWorkflowMs)} s from begin to finish) = ${(moved / (rolloutMs / 1000)).toFixed(1)} measures/s; outcomes ${JSON.stringify(st.outcomes)}`,
    );
    const ratio = rolloutMs / baseMs;
    console.log(`
| N | grants/s | preview (ms) | bare updates (s) | bare updates/s | rollout (s) | moved/s | rollout ÷ bare |
|---|---|---|---|---|---|---|---|
| ${N} | ${(N / (grantMs / 1000)).toFixed(1)} | ${previewMs} (load ${p.timing.loadMs}, compute ${p.timing.computeMs}) | ${secs(baseMs)} | ${(N / (baseMs / 1000)).toFixed(1)} | ${secs(rolloutMs)} | ${(moved / (rolloutMs / 1000)).toFixed(1)} | ${ratio.toFixed(2)} |
`);
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);

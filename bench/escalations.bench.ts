// Benchmark: many deadlines falling due in the same second, on the embedded stack (real timers,
// no time skipping).
//   1. N measures granted over HTTP, every grant stamped with the same instant T0, under a policy
//      whose first follow-up falls due DUE seconds after its stamp: all N fall due at T0 + DUE.
//      Lateness of each escalation = when the benchmark first saw its row in PostgreSQL (polled
//      every 200 ms) − the later of the due instant and the end of the measure's settling window
//      (its grant's answer + INDSATSFLOW_SETTLE).
//   2. Another N the same way; the worker is stopped before they fall due and started again
//      DOWN seconds after. Reports when all were raised, counted from the worker's return, and
//      checks that no (measure, deadline, level) was raised twice.
//
//   npm run bench:escalations -- [N] [DUE seconds] [DOWN seconds]    (default 1000 240 30)
//   BENCH_PHASES=1 stops after the first part (to profile it: node --cpu-prof, then the window the
//   bench prints).
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { dateOf } from '../machines/dates';
import { catalogueSource } from '../policies/source';
import { startServices, type Services } from '../services';
import { BENCH_MUNICIPALITY, BENCH_TYPE, benchMunicipality } from './bench-policy';
import { cpuMs, loadAverage } from './proc-cpu';
import { benchDataDir, grantEvent, inFlight, log, postEvent, runBench, sleep } from './support';

const N = Number(process.argv[2] ?? 1000);
const DUE_S = Number(process.argv[3] ?? 240);
const DOWN_S = Number(process.argv[4] ?? 30);
const SETTLE_S = 1;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** Grants `ids`, each stamped `t0`; returns when each grant was answered. */
async function grantAll(s: Services, ids: string[], t0: number): Promise<Map<string, number>> {
  const answered = new Map<string, number>();
  const today = dateOf(t0);
  await inFlight(CONCURRENCY, ids.length, async (i) => {
    const id = ids[i];
    const res = await postEvent(
      s.apiUrl,
      grantEvent(
        id,
        {
          municipality: BENCH_MUNICIPALITY,
          measureType: BENCH_TYPE,
          package: 'roed',
          caseId: `C-${id}`,
          caseworkerId: 'cw-1',
          teamId: 'team-1',
          grantedOn: today,
          startOn: today,
        },
        new Date(t0),
      ),
    );
    if (res.status !== 202) throw new Error(`grant ${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    answered.set(id, Date.now());
  });
  return answered;
}

/** Polls the escalations table until every id has a row (or `timeoutMs`): when each was first seen. */
async function watch(s: Services, ids: string[], timeoutMs: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const until = Date.now() + timeoutMs;
  while (seen.size < ids.length && Date.now() < until) {
    const r = await s.pool.query<{ measure_id: string }>(
      'SELECT measure_id FROM escalations WHERE measure_id = ANY($1) AND level = 1',
      [ids.filter((id) => !seen.has(id))],
    );
    const now = Date.now();
    for (const row of r.rows) if (!seen.has(row.measure_id)) seen.set(row.measure_id, now);
    await sleep(200);
  }
  return seen;
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const dataDir = benchDataDir();
  const s = await startServices({
    dataDir,
    uiPort: null,
    persistTemporal: true,
    temporalArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
    policies: catalogueSource([benchMunicipality(`PT${DUE_S}S`, true)]),
    settle: `PT${SETTLE_S}S`,
  });
  log(`stack up; ${cpus().length} cores; N = ${N}; due ${DUE_S} s after the stamp; settle PT${SETTLE_S}S`);
  const lines: string[] = [];
  try {
    // 1. All due in the same second, the worker up.
    const a = Array.from({ length: N }, (_, i) => `ESC-A-${i}`);
    const t0 = Date.now();
    const due = t0 + DUE_S * 1000;
    const answered = await grantAll(s, a, t0);
    const last = Math.max(...answered.values());
    log(`granted ${N} in ${((last - t0) / 1000).toFixed(1)} s; due in ${((due - Date.now()) / 1000).toFixed(1)} s`);
    if (last + SETTLE_S * 1000 > due) log('WARNING: grants ran past the due instant; raise DUE');
    // CPU from here (idle until the due instant) to the last escalation seen: what the wakes cost.
    const cpu = () => ({
      service: cpuMs(process.pid),
      temporal: cpuMs(s.stack?.temporal.pid(), true),
      postgres: cpuMs(s.stack?.postgres.pid(), true),
    });
    const c0 = cpu();
    const seen = await watch(s, a, Math.max(due - Date.now(), 0) + 120_000);
    const c1 = cpu();
    const perWake = (k: keyof typeof c0) => ((c1[k] - c0[k]) / N).toFixed(1);
    const lateness = a
      .filter((id) => seen.has(id))
      .map((id) => (seen.get(id)! - Math.max(due, answered.get(id)! + SETTLE_S * 1000)) / 1000);
    const l1 =
      `worker up: ${seen.size}/${N} raised; lateness p50 ${pct(lateness, 50).toFixed(2)} s, ` +
      `p99 ${pct(lateness, 99).toFixed(2)} s, max ${Math.max(...lateness).toFixed(2)} s; ` +
      `CPU ms per wake service ${perWake('service')} / Temporal ${perWake('temporal')} / PostgreSQL ${perWake('postgres')}; ` +
      `load ${loadAverage()}`;
    log(l1);
    lines.push(l1);
    // The due instant and now on the CPU profile's clock (node --cpu-prof), to cut this phase out.
    const mono = Number(process.hrtime.bigint() / 1000n);
    log(`profile clock (µs): due ${mono - (Date.now() - due) * 1000}, all seen ${mono}`);
    if (process.env.BENCH_PHASES === '1') return;

    // 2. The worker down across their due time.
    const b = Array.from({ length: N }, (_, i) => `ESC-B-${i}`);
    const t1 = Date.now();
    const dueB = t1 + DUE_S * 1000;
    await grantAll(s, b, t1);
    log(`granted ${N} more; due in ${((dueB - Date.now()) / 1000).toFixed(1)} s`);
    await sleep(dueB - Date.now() - 5_000);
    await s.stopWorker();
    log('worker stopped');
    await sleep(dueB + DOWN_S * 1000 - Date.now());
    const early = await s.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM escalations WHERE measure_id = ANY($1)',
      [b],
    );
    const starting = Date.now();
    await s.startWorker();
    // Counted from the worker running again (in development it bundles the workflow code first).
    const back = Date.now();
    log(
      `worker started ${((starting - dueB) / 1000).toFixed(1)} s past their due instant, running after ` +
        `${((back - starting) / 1000).toFixed(1)} s (${early.rows[0].n} raised while down)`,
    );
    const seenB = await watch(s, b, 180_000);
    const after = [...seenB.values()].map((t) => (t - back) / 1000);
    const dup = await s.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM escalations WHERE measure_id = ANY($1)
         GROUP BY measure_id, deadline_id, level HAVING count(*) > 1) d`,
      [[...a, ...b]],
    );
    const rows = await s.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM escalations WHERE measure_id = ANY($1)',
      [[...a, ...b]],
    );
    const l2 =
      `worker down ${DOWN_S} s across the due instant: ${seenB.size}/${N} raised, the last ${Math.max(...after).toFixed(1)} s ` +
      `after its return (p50 ${pct(after, 50).toFixed(1)} s); rows ${rows.rows[0].n} for ${2 * N} measures, ` +
      `raised twice: ${dup.rows[0].n}; load ${loadAverage()}`;
    log(l2);
    lines.push(l2);
    console.log(`\n${lines.join('\n')}`);
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);

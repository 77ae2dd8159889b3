// Benchmark: what a fleet of live measures costs at rest. Starts the embedded stack (this process
// hosts the worker and the API, as `npm start` does), measures it with no measures, grants N
// Hjørring measures that then sleep until their deadlines (live, as in production), waits until
// those with past deadlines have raised their escalations, and measures again in the same run: memory per 1,000 live measures, the CPU each process uses over a minute
// at rest (targets: the service under 5 % of one core, under 1 GB), and what the cache buys: a
// query to a measure still cached against one evicted (replayed from its history first).
//
//   npm run bench:fleet -- [N]         (default 10000; INDSATSFLOW_MAX_CACHED_WORKFLOWS to vary the
//                                        cache, BENCH_IDLE_S the rest period, default 60)
//
// RSS is what counts (the workflows run in a worker thread whose heap is outside this thread's
// heapUsed); heapUsed and external are shown for the main thread. Temporal's and PostgreSQL's own
// RSS are shown beside, for scale: they are separate processes.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { Temporal } from 'temporal-polyfill';
import { dateOf } from '../machines/dates';
import { startServices } from '../services';
import { settleWindow } from '../settle';
import { workerSizing } from '../worker';
import { measureQuery } from '../workflows/definitions';
import { measureWorkflowId } from '../workflows/ids';
import { cpuOf, cpuSince, rssOf } from './proc-cpu';
import { benchDataDir, hjorringGrant, log, postEvent, sleep } from './support';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 10_000);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
/** Queries timed against the newest (cached) and the oldest (evicted, when N > cache) measures. */
const PROBES = Math.min(200, Math.floor(N / 4));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MB = 1024 * 1024;

interface Sample {
  rss: number;
  heapUsed: number;
  external: number;
  temporal: number;
  postgres: number;
}

async function sample(pids: { temporal?: number; postgres?: number }): Promise<Sample> {
  // Settle: let the worker finish its tasks, then collect garbage (twice: weak refs, finalizers).
  await sleep(5_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await sleep(500);
  gc?.();
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    temporal: rssOf(pids.temporal),
    postgres: rssOf(pids.postgres),
  };
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  if (!(globalThis as { gc?: unknown }).gc)
    log('note: run with node --expose-gc (npm run bench:memory does) for steadier figures');
  const dataDir = benchDataDir();
  const t0 = Date.now();
  const s = await startServices({ dataDir, uiPort: null, persistTemporal: true });
  const pids = () => ({ temporal: s.stack!.temporal.pid(), postgres: s.stack!.postgres.pid() });
  const sizing = workerSizing();
  const sized = `maxCachedWorkflows ${sizing.maxCachedWorkflows}, maxConcurrentWorkflowTaskExecutions ${sizing.maxConcurrentWorkflowTaskExecutions}, stickyQueueScheduleToStartTimeout ${String(sizing.stickyQueueScheduleToStartTimeout)} ms`;
  log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${cpus().length} cores; N = ${N}; ${sized}`);
  try {
    const base = await sample(pids());
    log(`baseline (0 measures): rss ${(base.rss / MB).toFixed(0)} MB, heap ${(base.heapUsed / MB).toFixed(0)} MB`);

    const today = dateOf(Date.now());
    let next = 0;
    let failed = 0;
    // Granted in order; a grant not answered 202 (a timeout on an overloaded host) is left out.
    const granted: string[] = [];
    const tg = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const id = `MEM-${String(i).padStart(6, '0')}`;
          const res = await postEvent(s.apiUrl, hjorringGrant(id, i, today));
          if (res.status !== 202) failed++;
          else granted.push(id);
          if ((i + 1) % 500 === 0) log(`granted ${i + 1}`);
        }
      }),
    );
    log(`granted ${N} in ${((Date.now() - tg) / 1000).toFixed(1)} s, ${failed} failed`);
    for (;;) {
      const c = await s.pool.query(`SELECT count(*)::int AS n FROM measures WHERE measure_id LIKE 'MEM-%'`);
      if (c.rows[0].n >= N - failed) break;
      await sleep(500);
    }
    // Grants started up to 20 days back have deadlines already past: each such measure raises its
    // escalation when its settling window ends, up to that long after its grant. That is the tail
    // of granting, not rest: wait it out, then until the escalations stop growing.
    await sleep(Temporal.Duration.from(settleWindow(process.env.INDSATSFLOW_SETTLE)).total('milliseconds') + 2_000);
    for (let last = -1; ;) {
      const e = await s.pool.query(`SELECT count(*)::int AS n FROM escalations WHERE measure_id LIKE 'MEM-%'`);
      if (e.rows[0].n === last) {
        log(`settled: ${last} escalations raised for past deadlines`);
        break;
      }
      last = e.rows[0].n;
      await sleep(5_000);
    }
    const live = await sample(pids());

    // At rest: every measure sleeps until its first deadline, weeks away.
    log(`at rest for ${IDLE_S} s`);
    const p = pids();
    const c0 = { service: process.cpuUsage(), temporal: cpuOf(p.temporal), postgres: cpuOf(p.postgres, true) };
    const w0 = Date.now();
    await sleep(IDLE_S * 1000);
    const wall = (Date.now() - w0) / 1000;
    const cs = process.cpuUsage(c0.service);
    const idle = {
      service: (cs.user + cs.system) / 1e6 / wall,
      temporal: cpuSince(c0.temporal, cpuOf(p.temporal)) / wall,
      postgres: cpuSince(c0.postgres, cpuOf(p.postgres, true)) / wall,
    };

    // What the cache buys: queries, one at a time, to the newest measures (still cached) and to
    // the oldest (evicted once N exceeds the cache, so each is replayed from its history first).
    const probe = async (ids: string[]) => {
      const t = Date.now();
      for (const id of ids) await s.client.workflow.getHandle(measureWorkflowId('hjorring', id)).query(measureQuery);
      return (Date.now() - t) / ids.length;
    };
    const sorted = [...granted].sort();
    const newest = await probe(sorted.slice(-PROBES));
    const oldest = await probe(sorted.slice(0, PROBES));
    const after = await sample(pids());

    const per1000 = (a: number, b: number) => ((b - a) / MB / (N - failed)) * 1000;
    const row = (what: string, a: number, b: number) =>
      `| ${what} | ${(a / MB).toFixed(0)} | ${(b / MB).toFixed(0)} | ${(b / a).toFixed(2)} | ${per1000(a, b).toFixed(1)} |`;
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    console.log(`
N = ${N - failed} live measures; ${sized}

| what | 0 measures (MB) | N live (MB) | ratio | per 1,000 live (MB) |
|---|---|---|---|---|
${row('service RSS (worker + API)', base.rss, live.rss)}
${row('main-thread heap used', base.heapUsed, live.heapUsed)}
${row('main-thread external', base.external, live.external)}
${row('Temporal dev server RSS', base.temporal, live.temporal)}
${row('PostgreSQL postmaster RSS', base.postgres, live.postgres)}

| at rest for ${wall.toFixed(0)} s | CPU (% of one core) |
|---|---|
| service (worker + API) | ${pct(idle.service)} (target < 5 %) |
| Temporal dev server | ${pct(idle.temporal)} |
| PostgreSQL (all its processes) | ${pct(idle.postgres)} |

service RSS: ${(live.rss / MB).toFixed(0)} MB with ${N - failed} live (target < 1,024 MB); ${(after.rss / MB).toFixed(0)} MB after the probes
query to a cached measure (newest ${PROBES}): ${newest.toFixed(1)} ms; to an evicted one (oldest ${PROBES}): ${oldest.toFixed(1)} ms
`);
  } finally {
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

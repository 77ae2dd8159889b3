// Benchmark: the memory a live measure costs the worker. Starts the embedded stack (this process
// hosts the worker and the API, as `npm start` does), measures it with no measures, grants N
// Hjørring measures that then sleep until their deadlines (live, as in production), and measures
// again in the same run.
//
//   npm run bench:memory -- [N]        (default 1000; INDSATSFLOW_MAX_CACHED_WORKFLOWS to vary the cache)
//
// RSS is what counts (the workflows run in a worker thread whose heap is outside this thread's
// heapUsed); heapUsed and external are shown for the main thread. Temporal's and PostgreSQL's own
// RSS are shown beside, for scale: they are separate processes.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addToDate, dateOf } from '../machines/dates';
import { startServices } from '../services';
import { maxCachedWorkflows } from '../worker';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

/** RSS of another process, in bytes (0 when unknown). */
function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

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
  const dataDir = mkdtempSync(join(tmpdir(), 'indsatsflow-bench-memory-'));
  chmodSync(dataDir, 0o755);
  const t0 = Date.now();
  const s = await startServices({ dataDir, uiPort: null, persistTemporal: true });
  const pids = () => ({ temporal: s.stack!.temporal.pid(), postgres: s.stack!.postgres.pid() });
  log(
    `stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${cpus().length} cores; N = ${N}; maxCachedWorkflows = ${maxCachedWorkflows()}`,
  );
  try {
    const base = await sample(pids());
    log(`baseline (0 measures): rss ${(base.rss / MB).toFixed(0)} MB, heap ${(base.heapUsed / MB).toFixed(0)} MB`);

    const today = dateOf(Date.now());
    let next = 0;
    let failed = 0;
    const tg = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          const i = next++;
          const id = `MEM-${String(i).padStart(6, '0')}`;
          const startOn = addToDate(today, `-P${i % 21}D`);
          const res = await fetch(`${s.apiUrl}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              specversion: '1.0',
              id: `g-${id}`,
              source: 'bench',
              type: 'measure.granted',
              subject: id,
              time: new Date().toISOString(),
              data: {
                municipality: 'hjorring',
                measureType: 'familiebehandling',
                package: 'gul',
                caseId: `C-${i}`,
                caseworkerId: `cw-${i % 40}`,
                teamId: `team-${i % 5}`,
                grantedOn: startOn,
                startOn,
              },
            }),
          });
          await res.arrayBuffer();
          if (res.status !== 202) failed++;
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
    const live = await sample(pids());

    const per1000 = (a: number, b: number) => ((b - a) / MB / (N - failed)) * 1000;
    const row = (what: string, a: number, b: number) =>
      `| ${what} | ${(a / MB).toFixed(0)} | ${(b / MB).toFixed(0)} | ${(b / a).toFixed(2)} | ${per1000(a, b).toFixed(1)} |`;
    console.log(`
N = ${N - failed} live measures, maxCachedWorkflows = ${maxCachedWorkflows()}

| what | 0 measures (MB) | N live (MB) | ratio | per 1,000 live (MB) |
|---|---|---|---|---|
${row('service RSS (worker + API)', base.rss, live.rss)}
${row('main-thread heap used', base.heapUsed, live.heapUsed)}
${row('main-thread external', base.external, live.external)}
${row('Temporal dev server RSS', base.temporal, live.temporal)}
${row('PostgreSQL postmaster RSS', base.postgres, live.postgres)}
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

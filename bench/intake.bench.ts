// Benchmark: the intake's full path against bare Temporal, side by side on one embedded dev server
// (SQLite, WAL, synchronous off), in one run:
//   (a) bare update-with-start of a trivial workflow   (b) a grant over HTTP (inbox, zod, machine,
//   update-with-start, the measure workflow, its projection)   (c) a bare update of a running trivial
//   workflow   (d) a follow-up event over HTTP for a running measure
// at 8 and at 32 in flight, with the CPU each process spent per operation.
//
//   npm run bench:intake -- [N]      (operations per phase and concurrency; default 1000)
//
// The bench's own load generator runs in the service process (as the API and the worker do), so
// "service" CPU includes the client's side of both the bare and the full path.
import { WithStartWorkflowOperation } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dateOf } from '../machines/dates';
import { catalogueSource } from '../policies/source';
import { startServices } from '../services';
import { maxCachedWorkflows } from '../worker';
import { measureWorkflowId } from '../workflows/ids';
import { BENCH_MUNICIPALITY, BENCH_TYPE, benchMunicipality } from './bench-policy';
import { cpuMs, loadAverage } from './proc-cpu';
import { benchDataDir, grantEvent, inFlight, log, postEvent, runBench } from './support';
import { pingUpdate, type trivialWorkflow } from './trivial-workflow';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 1000);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const WARMUP = Math.min(50, N);
/** Which phases to run (all four for the ratios; fewer to profile one path). */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'a,b,c,d').split(','));
const TRIVIAL_QUEUE = 'bench-trivial';

interface Phase {
  name: string;
  ops: number;
  seconds: number;
  perSecond: number;
  cpu: { service: number; temporal: number; postgres: number };
  load: string;
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const dataDir = benchDataDir();
  const s = await startServices({
    dataDir,
    uiPort: null,
    persistTemporal: true,
    temporalArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'],
    policies: catalogueSource([benchMunicipality('P3M')]),
    settle: 'PT30S',
  });
  const trivialWorker = await Worker.create({
    connection: await (await import('@temporalio/worker')).NativeConnection.connect({ address: s.temporalAddress }),
    namespace: s.namespace,
    taskQueue: TRIVIAL_QUEUE,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('./trivial-workflow'),
      logger: new DefaultLogger('ERROR'),
    }),
    dataConverter: s.client.options.dataConverter,
    maxCachedWorkflows: maxCachedWorkflows(),
  });
  const trivialRun = trivialWorker.run();
  log(`stack up; ${cpus().length} cores; N = ${N}; in flight ${LEVELS.join(', ')}; cache ${maxCachedWorkflows()}`);

  const post = async (body: unknown) => {
    const res = await postEvent(s.apiUrl, body);
    if (res.status !== 202) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
  };
  const today = dateOf(Date.now());
  const grant = (id: string) =>
    post(
      grantEvent(id, {
        municipality: BENCH_MUNICIPALITY,
        measureType: BENCH_TYPE,
        package: 'roed',
        caseId: `C-${id}`,
        caseworkerId: 'cw-1',
        teamId: 'team-1',
        grantedOn: today,
        startOn: today,
      }),
    );
  const followUp = (id: string) =>
    post({
      specversion: '1.0',
      id: `s-${id}`,
      source: 'bench',
      type: 'measure.session-held',
      subject: id,
      time: new Date().toISOString(),
      data: { heldOn: today },
    });
  const bareStart = async (id: string) => {
    await s.client.workflow.executeUpdateWithStart(pingUpdate, {
      args: [{ id }],
      updateId: `start-${id}`,
      startWorkflowOperation: new WithStartWorkflowOperation<typeof trivialWorkflow>('trivialWorkflow', {
        workflowId: `trivial/${id}`,
        taskQueue: TRIVIAL_QUEUE,
        args: [],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  };
  const bareUpdate = async (id: string) => {
    await s.client.workflow
      .getHandle(`trivial/${id}`)
      .executeUpdate(pingUpdate, { args: [{ id }], updateId: `ping-${id}` });
  };

  const pids = () => ({ temporal: s.stack?.temporal.pid(), postgres: s.stack?.postgres.pid() });
  const cpu = () => {
    const p = pids();
    return { service: cpuMs(process.pid), temporal: cpuMs(p.temporal, true), postgres: cpuMs(p.postgres, true) };
  };
  const phases: Phase[] = [];
  const measure = async (name: string, conc: number, ids: string[], fn: (id: string) => Promise<void>) => {
    const c0 = cpu();
    const t0 = performance.now();
    await inFlight(conc, ids.length, (i) => fn(ids[i]));
    const seconds = (performance.now() - t0) / 1000;
    const c1 = cpu();
    const per = (k: keyof typeof c0) => (c1[k] - c0[k]) / ids.length;
    const p: Phase = {
      name,
      ops: ids.length,
      seconds,
      perSecond: ids.length / seconds,
      cpu: { service: per('service'), temporal: per('temporal'), postgres: per('postgres') },
      load: loadAverage(),
    };
    phases.push(p);
    log(
      `${name.padEnd(24)} ${p.ops} in ${seconds.toFixed(1)} s = ${p.perSecond.toFixed(1)}/s; CPU ms/op service ${p.cpu.service.toFixed(1)} / temporal ${p.cpu.temporal.toFixed(1)} / postgres ${p.cpu.postgres.toFixed(1)}; load ${p.load}`,
    );
    return p;
  };
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  try {
    // Warm-up: JIT, connections, the first workflow tasks.
    const w = ids('W', WARMUP);
    await inFlight(8, w.length, (i) => bareStart(w[i]));
    await inFlight(8, w.length, (i) => grant(w[i]));
    await inFlight(8, w.length, (i) => bareUpdate(w[i]));
    await inFlight(8, w.length, (i) => followUp(w[i]));
    const events = async (id: string) => (await s.client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0;
    log(
      `history events: trivial after start+update ${await events('trivial/W-0')}; ` +
        `measure after grant+follow-up ${await events(measureWorkflowId(BENCH_MUNICIPALITY, 'W-0'))}`,
    );

    const summary: string[] = [];
    for (const c of LEVELS) {
      const bare = ids(`B${c}`, N);
      const full = ids(`F${c}`, N);
      if (PHASES.size < 4) {
        if (PHASES.has('a') || PHASES.has('c')) await measure(`a bare update-with-start`, c, bare, bareStart);
        if (PHASES.has('b') || PHASES.has('d')) await measure(`b grant over HTTP`, c, full, grant);
        if (PHASES.has('c')) await measure(`c bare update`, c, bare, bareUpdate);
        if (PHASES.has('d')) await measure(`d follow-up over HTTP`, c, full, followUp);
        continue;
      }
      const a = await measure(`a bare update-with-start`, c, bare, bareStart);
      const b = await measure(`b grant over HTTP`, c, full, grant);
      const cc = await measure(`c bare update`, c, bare, bareUpdate);
      const d = await measure(`d follow-up over HTTP`, c, full, followUp);
      summary.push(
        `${c} in flight: start ${b.perSecond.toFixed(1)}/${a.perSecond.toFixed(1)} = ${(b.perSecond / a.perSecond).toFixed(2)}; ` +
          `event ${d.perSecond.toFixed(1)}/${cc.perSecond.toFixed(1)} = ${(d.perSecond / cc.perSecond).toFixed(2)}`,
      );
    }
    console.log('\n| in flight | work | ops | ops/s | CPU ms/op service / Temporal / PostgreSQL | load |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [i, p] of phases.entries())
      console.log(
        `| ${LEVELS[Math.floor(i / 4)]} | ${p.name} | ${p.ops} | ${p.perSecond.toFixed(1)} | ${p.cpu.service.toFixed(1)} / ${p.cpu.temporal.toFixed(1)} / ${p.cpu.postgres.toFixed(1)} | ${p.load} |`,
      );
    console.log('\nratios (full / bare):');
    for (const l of summary) console.log(`  ${l}`);
  } finally {
    trivialWorker.shutdown();
    await trivialRun.catch(() => undefined);
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);

// `npm run test:cluster`: the end-to-end suite against a real Temporal cluster (server on
// PostgreSQL, 16 history shards, UI server with the codec endpoint) with the service as separate
// processes: two APIs (the tests' requests alternate between them), two workers, one of which is
// killed (SIGKILL) mid-run and started again. Exit code: the suite's.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../stack/ports';
import { BUNDLE_PATH } from '../temporal/bundle';
import { startRole, type RoleEnv, type RoleProcess } from '../stack/cluster/roles';
import { startTemporalCluster } from '../stack/cluster/temporal-cluster';

const ROOT = resolve(__dirname, '..');
const SUITES = process.argv.slice(2).length ? process.argv.slice(2) : ['test/e2e.test.ts'];
/** When the chaos kill happens, after the suite starts (the escalation tests are running then). */
const KILL_AFTER_MS = Number(process.env.TEST_CLUSTER_KILL_AFTER_MS ?? 20_000);
const WORKERS = 2;
const APIS = 2;

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (l: string) => console.log(`test:cluster [${elapsed()}] ${l}`);
const verbose = process.env.TEST_CLUSTER_VERBOSE === '1';

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'indsatsflow-cluster-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as its own user when we are root
  // Workers load the prebuilt bundle, as in production: `npm run build` once, not webpack per start.
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-bundle.ts')], { stdio: 'inherit' });
  const apiPorts = [await freePort(), await freePort()];
  const cluster = await startTemporalCluster({
    dataDir,
    codecEndpoint: `http://127.0.0.1:${apiPorts[0]}/codec`,
    // As the dev server in `npm test`: continue-as-new suggested after 60 events, so it is reached.
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
    log: say,
  });
  const env: RoleEnv = {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    DATABASE_URL: cluster.databaseUrl,
    // Each municipality's payload keys, shared by every API and worker and read by the suite too.
    INDSATSFLOW_KEYRING: join(dataDir, 'keys'),
    // The tests' fixed key (test/support/stack.ts TEST_CODEC): what the suite's client encrypts.
    INDSATSFLOW_CODEC_KEY: Buffer.alloc(32, 7).toString('base64'),
    // As compose.yaml runs it: access control on; the suite calls with a platform key made below.
    INDSATSFLOW_AUTH: 'required',
    // The embedded test stack's window (test/support/stack.ts), so the suite's timings hold here too.
    INDSATSFLOW_SETTLE: 'PT2S',
    TEMPORAL_UI_URL: cluster.uiUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    WORKFLOW_BUNDLE: BUNDLE_PATH,
  };
  const roleLog = verbose ? (l: string) => console.log(l) : undefined;
  const workers: Array<RoleProcess | undefined> = [];
  const apis: RoleProcess[] = [];
  let killed = 0;
  const stopAll = async () => {
    await Promise.all([...workers, ...apis].map((r) => r?.proc.stop()));
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const start = Date.now();
    const started = await Promise.all([
      ...Array.from({ length: WORKERS }, (_, i) => startRole('worker', i + 1, env, roleLog)),
      ...Array.from({ length: APIS }, (_, i) => startRole('api', i + 1, env, roleLog, apiPorts[i])),
    ]);
    workers.push(...started.filter((r) => r.role === 'worker'));
    apis.push(...started.filter((r) => r.role === 'api'));
    say(`${WORKERS} workers and ${APIS} APIs ready in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    // The suite's key, made as an operator would: `npm run access -- create-key` (the last line).
    const created = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'access-cli.ts'),
        'create-key',
        '--role',
        'platform-admin',
        '--name',
        'test-cluster',
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    const apiKey = created.trim().split('\n').pop()!;

    // The tests stop and start "the worker": here, every worker process, gracefully.
    let busy: Promise<unknown> = Promise.resolve();
    const control = createServer((req, res) => {
      const action = req.url === '/workers/stop' ? 'stop' : req.url === '/workers/start' ? 'start' : undefined;
      if (!action || req.method !== 'POST') return void res.writeHead(404).end();
      busy = busy.then(async () => {
        try {
          if (action === 'stop') {
            await Promise.all(workers.map((w) => w?.proc.stop()));
            workers.fill(undefined);
          } else {
            const again = await Promise.all(workers.map((w, i) => w ?? startRole('worker', i + 1, env, roleLog)));
            workers.splice(0, workers.length, ...again);
          }
          say(`workers ${action === 'stop' ? 'stopped' : 'started'} (asked by the suite)`);
          res.writeHead(204).end();
        } catch (err) {
          res.writeHead(500).end((err as Error).message);
        }
      });
    });
    const controlPort = await freePort();
    await new Promise<void>((r) => control.listen(controlPort, '127.0.0.1', r));

    // The chaos: worker-1 dies without a word mid-run, and comes back a little later.
    // When the suite has its workers stopped at that moment, the kill waits for them to run again.
    let chaos: NodeJS.Timeout;
    let suiteDone = false;
    const kill = (): void => {
      busy = busy.then(async () => {
        if (suiteDone) return;
        const w = workers[0];
        if (!w) {
          chaos = setTimeout(kill, 1_000);
          return;
        }
        say(`killing ${w.name} (pid ${w.proc.child.pid}) with SIGKILL`);
        await w.proc.stop('SIGKILL');
        killed++;
        workers[0] = undefined;
        // Its return is a separate step: a suite that stops the workers meanwhile is answered at
        // once (it expects no worker from then on), not after this worker's downtime.
        setTimeout(restart, 5_000);
      });
    };
    const restart = (): void => {
      busy = busy.then(async () => {
        if (suiteDone || workers[0] !== undefined) return;
        if (workers.some((x) => x !== undefined)) workers[0] = await startRole('worker', 1, env, roleLog);
        say(`${workers[0] ? 'worker-1 started again' : 'workers are stopped by the suite; not restarting yet'}`);
      });
    };
    chaos = setTimeout(kill, KILL_AFTER_MS);

    say(`running ${SUITES.join(', ')} against ${apis.map((a) => a.url).join(' and ')}`);
    const code = await new Promise<number>((res) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...SUITES], {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          ...env,
          INDSATSFLOW_CLUSTER_APIS: apis.map((a) => a.url).join(','),
          INDSATSFLOW_TEST_API_KEY: apiKey,
          INDSATSFLOW_CLUSTER_CONTROL: `http://127.0.0.1:${controlPort}`,
        },
      });
      child.on('exit', (c, signal) => res(c ?? (signal ? 1 : 0)));
    });
    suiteDone = true;
    clearTimeout(chaos);
    await busy;
    control.close();
    if (killed === 0) {
      say('the suite finished before the chaos kill: lower TEST_CLUSTER_KILL_AFTER_MS');
      return 1;
    }
    say(`suite exit code ${code}; ${killed} worker killed mid-run`);
    return code;
  } finally {
    await stopAll();
    say('cluster stopped');
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

/**
 * A local Temporal dev server (`temporal server start-dev`, SQLite) with our search attributes,
 * owned by this process: it dies with it (stack/watchdog.ts), an orphan of an earlier run of this
 * service is stopped before a new one starts (its PID file), readiness is accepted only from the
 * process we started, and a server that dies while we run is started again with a bounded back-off.
 *
 * If TEMPORAL_ADDRESS is set, that server is used instead and nothing is started.
 * The CLI binary comes from scripts/ensure-temporal.sh (cached build of temporalio/cli v1.5.1).
 */
import { freePort } from './ports';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { liveRecorded, ownerRunning, readPidFile, removePidFile, writePidFile } from './pid-file';
import { listenersOf, listensOn, processCmdline, stopProcess } from './processes';
import { watchdog } from './watchdog';

export interface StartTemporalOptions {
  /** SQLite file to persist to; in-memory when not given. */
  dbFile?: string;
  /** gRPC port; a free one when not given. */
  port?: number;
  /** Web UI port; a free one when undefined; `null` = headless. */
  uiPort?: number | null;
  /** Namespace created at start; default 'default'. */
  namespace?: string;
  /** Receives the server's output lines; without it they are kept quiet (and shown only on failure). */
  log?: (line: string) => void;
  /** Receives what happens to the process (an orphan stopped, a restart); default: stderr. */
  notice?: (line: string) => void;
  /** Extra `temporal server start-dev` arguments, e.g. `--dynamic-config-value K=V`. */
  extraArgs?: string[];
  /** Where the running server's PID is recorded, so that a later run can stop an orphan of it. */
  pidFile?: string;
  /** Start the server again when it dies (default true). */
  restart?: boolean;
}

export interface RunningTemporal {
  /** host:port of the frontend gRPC service */
  address: string;
  namespace: string;
  /** http://127.0.0.1:<uiPort> unless headless */
  uiUrl?: string;
  /** The server process now (undefined while it is being restarted, or when not embedded). */
  pid(): number | undefined;
  /** How many times it has been started again after dying. */
  restarts(): number;
  /** No more restarts from now on (the service is shutting down). */
  stopRestarting(): void;
  stop(): Promise<void>;
}

const REPO_ROOT = path.resolve(__dirname, '..');
const ENSURE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'ensure-temporal.sh');
const READY_TIMEOUT_MS = 60_000;

/** The path of a working Temporal CLI (builds it on first use; that takes minutes). */
export function ensureTemporalCli(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [ENSURE_SCRIPT], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`scripts/ensure-temporal.sh failed: ${err.message}\n${stderr}`));
        return;
      }
      const bin = stdout.trim().split('\n').pop() ?? '';
      if (!bin || !fs.existsSync(bin)) {
        reject(new Error(`scripts/ensure-temporal.sh printed no usable path: ${JSON.stringify(stdout)}\n${stderr}`));
        return;
      }
      resolve(bin);
    });
  });
}

/** `--search-attribute Name=Type ...` for every custom search attribute. */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]);
}

/** SQLite settings Temporal's own SDK CI uses for the dev server. */
const SQLITE_ARGS = ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Restart back-off: 1 s doubling to 30 s; reset once a server has stayed up this long. */
const RESTART_MAX_DELAY_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The dev server recorded in `pidFile`, if it is still running although its service is gone: stop it. */
async function stopOrphan(pidFile: string, notice: (l: string) => void): Promise<void> {
  const rec = liveRecorded(readPidFile(pidFile), ['server', 'start-dev']);
  if (!rec) {
    removePidFile(pidFile);
    return;
  }
  if (ownerRunning(rec)) {
    throw new Error(
      `the Temporal dev server ${rec.pid} recorded in ${pidFile} belongs to a running service (PID ${rec.owner})`,
    );
  }
  notice(
    `temporal: stopping orphan dev server ${rec.pid} (port ${rec.port}) left by an earlier run (PID ${rec.owner})`,
  );
  if (!(await stopProcess(rec.pid, { group: true })))
    throw new Error(`temporal: orphan dev server ${rec.pid} does not stop`);
  removePidFile(pidFile);
}

interface Launched {
  child: ChildProcess;
  exited: Promise<string>;
}

export async function startTemporalServer(opts: StartTemporalOptions = {}): Promise<RunningTemporal> {
  if (process.env.TEMPORAL_ADDRESS) {
    return {
      address: process.env.TEMPORAL_ADDRESS,
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      pid: () => undefined,
      restarts: () => 0,
      stopRestarting: () => undefined,
      stop: async () => {},
    };
  }

  const notice = opts.notice ?? ((l: string) => console.warn(`[indsatsflow] ${l}`));
  const namespace = opts.namespace ?? 'default';
  const bin = await ensureTemporalCli();
  if (opts.pidFile) await stopOrphan(opts.pidFile, notice);
  const port = opts.port ?? (await freePort());
  const uiPort = opts.uiPort === null ? null : (opts.uiPort ?? (await freePort()));
  const address = `127.0.0.1:${port}`;

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port)];
  if (uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  args.push('--namespace', namespace);
  if (opts.dbFile) {
    const dbFile = path.resolve(opts.dbFile);
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  args.push(...SQLITE_ARGS, '--log-level', 'warn', ...searchAttributeArgs(), ...(opts.extraArgs ?? []));

  const recent: string[] = [];
  const onLine = (line: string) => {
    if (!line.trim()) return;
    opts.log?.(line);
    recent.push(line);
    if (recent.length > 50) recent.shift();
  };

  /** Spawns the server and waits until it, and nothing else, answers on the port. */
  const launch = async (): Promise<Launched> => {
    // A process just stopped (an orphan, or the server that died) may hold its sockets a moment
    // longer while its threads exit: wait a little before calling the port taken.
    for (let i = 0; i < 50 && !(await portFree(port)); i++) await sleep(200);
    if (!(await portFree(port))) {
      const holders = listenersOf(port).map((p) => `${p} (${processCmdline(p).slice(0, 120) || '?'})`);
      throw new Error(
        `Temporal dev server: port ${port} is already in use${holders.length ? ` by ${holders.join(', ')}` : ''}; not ours, so not stopped`,
      );
    }
    // Its own process group, so that Ctrl-C in a terminal reaches us first and we stop it in order.
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout!, child.stderr!]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => onLine(buf));
    }
    let exitInfo: string | undefined;
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve((exitInfo = signal ? `signal ${signal}` : `code ${code}`)));
      child.once('error', (err) => resolve((exitInfo = `spawn error: ${err.message}`)));
    });
    if (child.pid !== undefined) {
      const pid = child.pid;
      watchdog().watch(pid, { group: true, signal: 'SIGTERM' });
      if (opts.pidFile) writePidFile(opts.pidFile, { pid, port, command: `${bin} ${args.slice(0, 6).join(' ')}` });
      void exited.then(() => {
        watchdog().forget(pid);
        if (opts.pidFile) removePidFile(opts.pidFile, pid);
      });
    }
    const fail = async (why: string): Promise<never> => {
      if (exitInfo === undefined && child.pid !== undefined) await stopProcess(child.pid, { group: true });
      await exited;
      throw new Error(
        `Temporal dev server (${bin} ${args.join(' ')}) ${why}\n--- recent server output ---\n${recent.join('\n')}`,
      );
    };

    // Ready = our process listens on the port, answers GetSystemInfo and knows the namespace.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    for (;;) {
      if (exitInfo !== undefined) return fail(`exited before it was ready (${exitInfo})`);
      let connection: Connection | undefined;
      try {
        if (child.pid !== undefined && !listensOn(child.pid, port)) throw new Error(`not listening on ${port} yet`);
        connection = await Connection.connect({ address, connectTimeout: 2_000 });
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace });
        break;
      } catch (err) {
        lastError = err;
      } finally {
        await connection?.close().catch(() => {});
      }
      if (Date.now() > deadline) {
        const msg = lastError instanceof Error ? lastError.message : String(lastError);
        return fail(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${msg}`);
      }
      await Promise.race([sleep(200), exited]);
    }
    return { child, exited };
  };

  let current: Launched | undefined = await launch();
  let stopping = false;
  let restarts = 0;
  let wakeRestart: (() => void) | undefined;

  // A server that dies while we run is started again: 1 s, 2 s, 4 s ... 30 s between attempts.
  const supervise = async (): Promise<void> => {
    let failures = 0;
    while (!stopping && current) {
      const startedAt = Date.now();
      let why = await current.exited;
      if (stopping) return;
      current = undefined;
      if (Date.now() - startedAt > STABLE_AFTER_MS) failures = 0;
      for (;;) {
        const delay = Math.min(RESTART_MAX_DELAY_MS, 1_000 * 2 ** failures);
        notice(`temporal: dev server on ${address} exited (${why}); starting it again in ${delay / 1000} s`);
        await new Promise<void>((r) => {
          wakeRestart = r;
          setTimeout(r, delay).unref();
        });
        if (stopping) return;
        try {
          current = await launch();
          restarts += 1;
          notice(`temporal: dev server on ${address} started again (PID ${current.child.pid}, restart ${restarts})`);
          break;
        } catch (err) {
          failures += 1;
          why = (err as Error).message.split('\n')[0];
        }
      }
    }
  };
  if (opts.restart !== false) void supervise();

  // If this Node process exits without calling stop(), do not leave the server behind (the
  // watchdog covers the exits that run no handlers).
  const onExit = () => {
    if (current?.child.pid !== undefined) {
      try {
        process.kill(-current.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', onExit);

  const stopRestarting = () => {
    stopping = true;
    wakeRestart?.();
  };
  const stop = async (): Promise<void> => {
    stopRestarting();
    process.removeListener('exit', onExit);
    const c = current;
    if (c?.child.pid !== undefined && c.child.exitCode === null && c.child.signalCode === null) {
      await stopProcess(c.child.pid, {
        group: true,
        steps: [
          ['SIGTERM', 10_000],
          ['SIGKILL', 5_000],
        ],
      });
    }
    await c?.exited;
  };

  let stopped: Promise<void> | undefined;
  return {
    address,
    namespace,
    uiUrl: uiPort === null ? undefined : `http://127.0.0.1:${uiPort}`,
    pid: () => current?.child.pid,
    restarts: () => restarts,
    stopRestarting,
    stop: () => (stopped ??= stop()),
  };
}

/**
 * A local Temporal dev server (`temporal server start-dev`, SQLite) with our search attributes.
 *
 * If TEMPORAL_ADDRESS is set, that server is used instead and nothing is started.
 * The CLI binary comes from scripts/ensure-temporal.sh (cached build of temporalio/cli v1.5.1).
 */
import { freePort } from './ports';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

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
  /** Extra `temporal server start-dev` arguments, e.g. `--dynamic-config-value K=V`. */
  extraArgs?: string[];
}

export interface RunningTemporal {
  /** host:port of the frontend gRPC service */
  address: string;
  namespace: string;
  /** http://127.0.0.1:<uiPort> unless headless */
  uiUrl?: string;
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

/** Kill the process group (the child was spawned detached, so it leads its own group). */
function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function startTemporalServer(opts: StartTemporalOptions = {}): Promise<RunningTemporal> {
  if (process.env.TEMPORAL_ADDRESS) {
    return {
      address: process.env.TEMPORAL_ADDRESS,
      namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      stop: async () => {},
    };
  }

  const namespace = opts.namespace ?? 'default';
  const bin = await ensureTemporalCli();
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
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exitInfo = `spawn error: ${err.message}`;
      resolve();
    });
  });

  // If this Node process exits without calling stop(), do not leave the server behind.
  const onExit = () => killTree(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    if (exitInfo === undefined) {
      killTree(child, 'SIGTERM');
      const timer = setTimeout(() => killTree(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    throw new Error(
      `Temporal dev server (${bin} ${args.join(' ')}) ${why}\n--- recent server output ---\n${recent.join('\n')}`,
    );
  };

  // Ready = the frontend answers GetSystemInfo and knows the namespace.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    if (exitInfo !== undefined) return fail(`exited before it was ready (${exitInfo})`);
    let connection: Connection | undefined;
    try {
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

  let stopped: Promise<void> | undefined;
  return {
    address,
    namespace,
    uiUrl: uiPort === null ? undefined : `http://127.0.0.1:${uiPort}`,
    stop: () => (stopped ??= stop()),
  };
}

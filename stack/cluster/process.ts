// A supervised child process of the cluster: its own process group (so that a kill reaches its
// children), its output kept for the error message when it fails, killed if Node exits first.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Supervised {
  name: string;
  child: ChildProcess;
  /** The last lines it printed. */
  recent: string[];
  /** Undefined while it runs; `code N` or `signal S` once it exited. */
  exitInfo(): string | undefined;
  exited: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: (line: string) => void;
  /** How long a SIGTERM gets before SIGKILL. */
  graceMs?: number;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
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

export function supervise(name: string, command: string, args: string[], o: SpawnOptions = {}): Supervised {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: o.env ?? process.env,
    cwd: o.cwd,
  });
  const recent: string[] = [];
  const onLine = (line: string) => {
    if (!line.trim()) return;
    o.log?.(line);
    recent.push(line);
    if (recent.length > 80) recent.shift();
  };
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
  let info: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      info = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      info = `spawn error: ${err.message}`;
      resolve();
    });
  });
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      if (info !== undefined) return;
      killGroup(child, signal);
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), o.graceMs ?? 15_000);
      await exited;
      clearTimeout(timer);
    })());
  return { name, child, recent, exitInfo: () => info, exited, stop };
}

/** Polls `ready` until it resolves, failing early (with the process's last lines) if it exits. */
export async function waitReady(p: Supervised, ready: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const info = p.exitInfo();
    if (info !== undefined)
      throw new Error(
        `${p.name} exited before it was ready (${info})\n--- its last output ---\n${p.recent.join('\n')}`,
      );
    try {
      await ready();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${p.name} not ready after ${timeoutMs / 1000} s: ${last instanceof Error ? last.message : String(last)}\n` +
          `--- its last output ---\n${p.recent.join('\n')}`,
      );
    await Promise.race([new Promise((r) => setTimeout(r, 300)), p.exited]);
  }
}

// What the embedded stack needs to know about processes: is it alive, is it still the same process
// (PIDs are reused, so a PID alone names nothing), what is it running, who listens on a port, and
// how to stop one firmly. Linux /proc where available; elsewhere the checks degrade to "alive".
import * as fs from 'node:fs';

/** Running: exists and is not a zombie (an exited process nobody has reaped; in containers whose
 *  init does not reap, orphans stay zombies for good). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function processCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The kernel's start time of the process (clock ticks since boot): with the PID, it names one process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces and parentheses); starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The process that a PID and start time recorded earlier name, if it still runs. */
export function sameProcess(pid: number, startTime: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return false;
  const now = processStartTime(pid);
  return startTime === undefined || now === undefined || now === startTime;
}

/** Inodes of the sockets listening on a TCP port (IPv4 and IPv6); undefined without /proc. */
function listeningInodes(port: number): Set<string> | undefined {
  const inodes = new Set<string>();
  let readAny = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
      readAny = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const localPort = Number.parseInt(f[1].split(':')[1] ?? '', 16);
      if (localPort === port && f[3] === '0A') inodes.add(f[9]);
    }
  }
  return readAny ? inodes : undefined;
}

function socketInodesOf(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/**
 * Whether `pid` is the process listening on `port`: readiness must not be satisfied by an orphan
 * of an earlier run that still holds the port. True when it cannot be told (no /proc).
 */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (inodes === undefined) return true;
  if (inodes.size === 0) return false;
  const own = socketInodesOf(pid);
  return [...inodes].some((i) => own.has(i));
}

/** The PIDs listening on a port (for a clear message when it is taken); empty when unknown. */
export function listenersOf(port: number): number[] {
  const inodes = listeningInodes(port);
  if (!inodes || inodes.size === 0) return [];
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    const own = socketInodesOf(Number(e));
    if ([...inodes].some((i) => own.has(i))) pids.push(Number(e));
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Signals a process (or its whole group) step by step until it is gone: each signal gets its
 * wait, the last is SIGKILL. Returns whether it is gone.
 */
export async function stopProcess(
  pid: number,
  opts: { group?: boolean; steps?: Array<[NodeJS.Signals, number]> } = {},
): Promise<boolean> {
  const steps = opts.steps ?? [
    ['SIGTERM', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [signal, waitMs] of steps) {
    try {
      process.kill(opts.group ? -pid : pid, signal);
    } catch {
      if (opts.group) {
        try {
          process.kill(pid, signal);
        } catch {
          /* gone */
        }
      }
    }
    const until = Date.now() + waitMs;
    while (processAlive(pid) && Date.now() < until) await sleep(50);
    if (!processAlive(pid)) return true;
  }
  return !processAlive(pid);
}

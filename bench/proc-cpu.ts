// CPU time and memory of a process (and, for a server that forks, its children) from /proc: read
// before and after a phase, the difference is what the phase cost that process.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function fields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may contain spaces and parentheses: the fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of `pid`; with `children`, plus cutime + cstime (children that ended) and the
 *  utime + stime of its live children (PostgreSQL's backends). */
export function cpuMs(pid: number | undefined, children = false): number {
  if (pid === undefined) return NaN;
  const f = fields(pid);
  if (!f) return NaN;
  // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
  let ticks = Number(f[11]) + Number(f[12]);
  if (children) {
    ticks += Number(f[13]) + Number(f[14]);
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const c = fields(Number(d));
      if (c && Number(c[1]) === pid) ticks += Number(c[11]) + Number(c[12]);
    }
  }
  return ticks * TICK_MS;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** RSS of a process, in bytes (0 when unknown). */
export function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by a process and, with `tree`, by each process below it, by pid: over a
 *  long window a difference is taken only over the pids present at both ends (cpuSince), since a
 *  backend that exits takes its time with it. */
export function cpuOf(pid: number | undefined, tree = false): Map<number, number> {
  const out = new Map<number, number>();
  if (!pid) return out;
  const stat = (p: number) => {
    const f = fields(p);
    return f && { ppid: Number(f[1]), cpu: ((Number(f[11]) + Number(f[12])) * TICK_MS) / 1000 };
  };
  if (!tree) {
    const s = stat(pid);
    if (s) out.set(pid, s.cpu);
    return out;
  }
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => ({ pid: Number(d), s: stat(Number(d)) }));
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (p.s && !below.has(p.pid) && below.has(p.s.ppid)) {
        below.add(p.pid);
        grew = true;
      }
  }
  for (const p of all) if (p.s && below.has(p.pid)) out.set(p.pid, p.s.cpu);
  return out;
}

/** CPU seconds between two cpuOf readings, over the pids present in both. */
export function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) if (before.has(pid)) total += cpu - before.get(pid)!;
  return total;
}

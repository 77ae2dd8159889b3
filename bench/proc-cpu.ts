// CPU time of a process (and, for a server that forks, its children) from /proc, in milliseconds:
// read before and after a phase, the difference is what the phase cost that process.
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

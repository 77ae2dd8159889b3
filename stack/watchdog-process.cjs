// The watchdog of one Indsatsflow process: `node watchdog-process.cjs <parentPid>`.
//
// Node has no PR_SET_PDEATHSIG, so the children of a service killed with SIGKILL (the Temporal dev
// server in its own process group, PostgreSQL) would outlive it and keep their ports. The service
// tells this process, over its stdin, which children it has ("watch <pid> <starttime> <group> <signal>",
// "forget <pid>"); when the service is gone (stdin closes, or our parent changes), the watched
// processes that are still the same processes are stopped: the given signal, then SIGKILL after 5 s.
// Plain JavaScript, no dependencies: it must start in milliseconds and cost almost nothing.
'use strict';
const fs = require('node:fs');

const parentPid = Number(process.argv[2]);
/** pid -> { startTime, group, signal } */
const watched = new Map();

const startTimeOf = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
};
// Exists and is not a zombie.
const alive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
};
const same = (pid, w) =>
  alive(pid) && (w.startTime === '-' || startTimeOf(pid) === undefined || startTimeOf(pid) === w.startTime);
const signal = (pid, w, sig) => {
  try {
    process.kill(w.group ? -pid : pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
};

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  const targets = [...watched].filter(([pid, w]) => same(pid, w));
  for (const [pid, w] of targets) signal(pid, w, w.signal);
  const started = Date.now();
  // Polled until every child is gone; the process then exits, which ends the interval too.
  setInterval(() => {
    const left = targets.filter(([pid, w]) => same(pid, w));
    if (left.length === 0) process.exit(0);
    if (Date.now() - started > 5_000) {
      for (const [pid, w] of left) signal(pid, w, 'SIGKILL');
      if (Date.now() - started > 10_000) process.exit(1);
    }
  }, 100);
}

let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  const lines = buf.split('\n');
  buf = lines.pop() ?? '';
  for (const line of lines) {
    const [cmd, pidText, startTime, group, sig] = line.trim().split(' ');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (cmd === 'watch')
      watched.set(pid, { startTime: startTime || '-', group: group === '1', signal: sig || 'SIGTERM' });
    else if (cmd === 'forget') watched.delete(pid);
  }
});
process.stdin.on('end', stopAll);
process.stdin.on('error', stopAll);
// Belt and braces: if the pipe somehow stays open, notice the parent going by our parent changing.
setInterval(() => {
  if (process.ppid !== parentPid || !alive(parentPid)) stopAll();
}, 1_000);
// Terminal signals (Ctrl-C reaches the whole foreground group) are for the service, not for us.
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});

// The children of this process die with it, however it ends (SIGKILL included): one small watchdog
// process per service process (stack/watchdog-process.cjs) is told about each child and stops the
// ones still running when this process is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { processStartTime } from './processes';

export interface Watchdog {
  /** Stop `pid` (its process group when `group`) with `signal`, then SIGKILL, when this process is gone. */
  watch(pid: number, opts: { group: boolean; signal: NodeJS.Signals }): void;
  /** The child has exited or been stopped by us: nothing to do for it any more. */
  forget(pid: number): void;
  /** The watchdog's own PID (tests check that it goes too). */
  readonly pid: number | undefined;
}

let instance: { child: ChildProcess; dog: Watchdog } | undefined;

export function watchdog(): Watchdog {
  if (instance && instance.child.exitCode === null && instance.child.signalCode === null) return instance.dog;
  const child = spawn(process.execPath, [path.join(__dirname, 'watchdog-process.cjs'), String(process.pid)], {
    // Its own session: Ctrl-C in the terminal is for the service, which stops its children in order.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // It must never keep this process alive, nor take it down if it goes first.
  child.unref();
  child.on('error', () => undefined);
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  (stdin as unknown as { unref?: () => void }).unref?.();
  const send = (line: string) => {
    if (!stdin.destroyed) stdin.write(`${line}\n`);
  };
  const dog: Watchdog = {
    watch: (pid, opts) => send(`watch ${pid} ${processStartTime(pid) ?? '-'} ${opts.group ? 1 : 0} ${opts.signal}`),
    forget: (pid) => send(`forget ${pid}`),
    get pid() {
      return child.pid;
    },
  };
  instance = { child, dog };
  return dog;
}

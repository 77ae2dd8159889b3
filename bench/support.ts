// What the stack benchmarks share: a private data folder PostgreSQL can read, a log line with the
// time, a fixed number of operations in flight, the grants they send over HTTP, and the exit.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addToDate, type IsoDate } from '../machines/dates';

export const log = (s: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(ms, 0)));
export const secs = (ms: number): string => (ms / 1000).toFixed(1);

/** A folder for the embedded stack's data; 0755, because PostgreSQL runs as its own user. */
export function benchDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'indsatsflow-bench-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** `count` calls of `fn`, `n` at a time, in order of index. */
export async function inFlight(n: number, count: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** POSTs one event to the API; the status and the parsed answer. */
export async function postEvent(apiUrl: string, event: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text: an error page says more than a parse error
  }
  return { status: res.status, body };
}

/** A `measure.granted` CloudEvent for measure `id`. */
export function grantEvent(id: string, data: Record<string, unknown>, time = new Date()): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `g-${id}`,
    source: 'bench',
    type: 'measure.granted',
    subject: id,
    time: time.toISOString(),
    data,
  };
}

/** The fleet and rollout benches' measure `i`: Hjørring family treatment, package Gul, started up
 *  to 20 days back (so some deadlines are already past), spread over 40 caseworkers in 5 teams. */
export function hjorringGrant(id: string, i: number, today: IsoDate): Record<string, unknown> {
  const startOn = addToDate(today, `-P${i % 21}D`);
  return grantEvent(id, {
    municipality: 'hjorring',
    measureType: 'familiebehandling',
    package: 'gul',
    caseId: `C-${i}`,
    caseworkerId: `cw-${i % 40}`,
    teamId: `team-${i % 5}`,
    grantedOn: startOn,
    startOn,
  });
}

/** Runs a benchmark's main and exits: the embedded stack's handles would keep the process alive. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

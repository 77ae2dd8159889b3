// What is up and what is down, answered within a second whatever is down: each check is bounded,
// so a database or Temporal server that hangs (rather than refuses) shows as down instead of
// holding the answer. No addresses or credentials in the answer: it may be served to anyone.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

export interface HealthDeps {
  pool: Pool;
  temporal: Client;
  /** Per check; the whole answer takes at most about this long. */
  timeoutMs?: number;
}

export interface Health {
  status: 'ok' | 'unavailable';
  /** 'ok', or what is wrong in a few words. */
  database: string;
  temporal: string;
}

export const HEALTH_CHECK_TIMEOUT_MS = 600;

export async function health(deps: HealthDeps): Promise<Health> {
  const ms = deps.timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
  const [database, temporal] = await Promise.all([
    bounded(ms, () => deps.pool.query('SELECT 1')),
    bounded(ms, (signal) => deps.temporal.connection.withAbortSignal(signal, () => deps.temporal.workflowService.getSystemInfo({}))),
  ]);
  return { status: database === 'ok' && temporal === 'ok' ? 'ok' : 'unavailable', database, temporal };
}

async function bounded(ms: number, check: (signal: AbortSignal) => Promise<unknown>): Promise<string> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(`down: no answer within ${ms} ms`);
    }, ms);
  });
  const run = check(abort.signal).then(
    () => 'ok',
    (err: unknown) => `down: ${describe(err)}`,
  );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The kind of failure without the address it happened at. */
function describe(err: unknown): string {
  const e = err as { code?: string | number; message?: string };
  const message = (e?.message ?? String(err)).replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<address>').split('\n')[0];
  return typeof e?.code === 'string' ? `${e.code} ${message}`.slice(0, 200) : message.slice(0, 200);
}

// The inbox's retention: a delivery's body (and a sealed birth date) is purged once it is older
// than the retention period; who sent what, when, and the answer it got stay. Runs at start and
// then every hour.
import type { Pool } from 'pg';
import { InboxRepository } from './repositories/inbox';

export function startInboxRetention(
  pool: Pool,
  o: { days: number; everyMs?: number; log?: (line: string) => void },
): { stop(): Promise<void>; runOnce(): Promise<number> } {
  if (!Number.isFinite(o.days) || o.days < 1) throw new Error(`inbox retention must be at least 1 day (got ${o.days})`);
  const inbox = new InboxRepository(pool);
  let running: Promise<unknown> = Promise.resolve();
  const runOnce = async () => {
    const n = await inbox.purge(o.days);
    if (n > 0) o.log?.(`inbox: purged the bodies of ${n} deliveries older than ${o.days} days`);
    return n;
  };
  const tick = () => {
    running = runOnce().catch((err: unknown) => o.log?.(`inbox retention: ${(err as Error).message}`));
  };
  tick();
  const timer = setInterval(tick, o.everyMs ?? 3_600_000);
  timer.unref();
  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

// The outbox role: delivers escalations to the case system (NOTIFY_URL). Several may run: rows are
// claimed with a lease under FOR UPDATE SKIP LOCKED (db/repositories/escalations.ts), so each is
// delivered by one of them in the normal case (at least once when a deliverer dies mid-way).
import { ping } from '../db/ping';
import type { Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startOutbox } from '../notifications/outbox';
import { onSignals, openDatabase, requireEnv, startSidePort } from './common';

export async function serveOutbox(log: Logger): Promise<void> {
  requireEnv('outbox', ['DATABASE_URL', 'NOTIFY_URL']);
  const pool = await openDatabase(log);
  const outbox = startOutbox(pool, {
    url: process.env.NOTIFY_URL!,
    // Identifiers only: the outbox's lines name the escalation row and the failure.
    log: (line) => log.warn({ component: 'outbox' }, line),
  });
  const side = await startSidePort({
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 9091),
    registry: createMetrics({ pool }).registry,
    ready: async () => ({
      database: await ping(pool).then(
        () => true,
        () => false,
      ),
    }),
  });
  log.info({ probes: side.url, notify: new URL(process.env.NOTIFY_URL!).origin }, 'outbox delivering');
  onSignals(log, async () => {
    await outbox.stop();
    side.server.close();
    await pool.end();
  });
}

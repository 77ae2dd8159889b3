// The worker role: hosts the measure and rollout workflows and runs their activities. Loads the
// prebuilt workflow bundle (`npm run build`, NODE_ENV=production or WORKFLOW_BUNDLE). Scale it out:
// Temporal spreads the task queue over every worker that polls it.
import { ping } from '../db/ping';
import type { Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { tracing } from '../observability/tracing';
import { temporalTargetFromEnv } from '../temporal/connection';
import { createWorker } from '../worker';
import { connectTemporal, onSignals, openDatabase, requireEnv, sharedCodec, startSidePort } from './common';

export async function serveWorker(log: Logger): Promise<void> {
  requireEnv('worker', ['DATABASE_URL', 'TEMPORAL_ADDRESS']);
  const codec = sharedCodec('worker');
  const pool = await openDatabase(log);
  // The check only: the worker's own connection is native (Rust core).
  const { connection: check, target } = await connectTemporal(log);
  await check.close();
  const t = temporalTargetFromEnv()!;
  const { worker, connection } = await createWorker({
    address: t.address,
    namespace: target.namespace,
    tls: t.tls,
    apiKey: t.apiKey,
    pool,
    dataConverter: { payloadCodecs: [codec] },
  });
  const side = await startSidePort({
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 9090),
    registry: createMetrics().registry,
    ready: async () => ({
      polling: worker.getState() === 'RUNNING',
      database: await ping(pool).then(
        () => true,
        () => false,
      ),
    }),
  });
  log.info({ probes: side.url, sdkMetrics: process.env.TEMPORAL_METRICS_BIND }, 'worker polling');
  const run = worker.run();
  onSignals(log, async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
    await connection.close();
    side.server.close();
    await pool.end();
    await tracing()?.shutdown();
  });
  // A worker that stops by itself (a fatal error) takes the process down: the supervisor restarts it.
  run.catch((err: unknown) => {
    log.error({ err }, 'worker failed');
    process.exit(1);
  });
}

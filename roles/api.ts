// The API role: the HTTP interface (events, read side, policies, /overblik, /codec, /metrics,
// probes) against external Temporal and PostgreSQL. Scale it out behind a load balancer.
import { Client } from '@temporalio/client';
import { buildApi } from '../api/server';
import { PolicyVersionRepository } from '../db/repositories/policy-versions';
import type { Logger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { tracing } from '../observability/tracing';
import { catalogueSource } from '../policies/source';
import { PolicyStore } from '../policies/store';
import { refuseOpenBind } from '../access/loopback';
import { startInboxRetention } from '../db/retention';
import { settleWindow } from '../settle';
import { connectTemporal, onSignals, openDatabase, requireEnv, sharedCodec } from './common';

export async function serveApi(log: Logger): Promise<void> {
  requireEnv('api', ['DATABASE_URL', 'TEMPORAL_ADDRESS']);
  const host = process.env.HOST ?? '127.0.0.1';
  const authRequired = process.env.INDSATSFLOW_AUTH === 'required';
  refuseOpenBind(host, authRequired);
  const codec = sharedCodec('api');
  const pool = await openDatabase(log);
  const { connection, target } = await connectTemporal(log);
  const client = new Client({
    connection,
    namespace: target.namespace,
    dataConverter: { payloadCodecs: [codec] },
    interceptors: tracing()?.client,
  });
  const policyStore = new PolicyStore(new PolicyVersionRepository(pool));
  const seeded = await policyStore.seed(await catalogueSource().municipalities());
  if (seeded.length) log.info({ municipalities: seeded }, 'policies seeded as version 1');
  // Every API process purges old inbox bodies; the purge is one idempotent UPDATE.
  const retention = startInboxRetention(pool, {
    days: Number(process.env.INDSATSFLOW_INBOX_RETENTION_DAYS ?? 90),
    log: (line) => log.info({ component: 'inbox-retention' }, line),
  });
  const uiUrl = process.env.TEMPORAL_UI_URL;
  // Read here as npm start reads it (services.ts): without it every measure this role starts would
  // have no settling window, and an import could be escalated between two of its own events.
  const settle = settleWindow(process.env.INDSATSFLOW_SETTLE);
  const api = await buildApi({
    pool,
    temporal: client,
    policies: policyStore.source(),
    policyStore,
    settle,
    logger: process.env.LOG_REQUESTS === '1',
    codec,
    authRequired,
    uiOrigins: uiUrl ? [new URL(uiUrl).origin] : [],
    temporalUiUrl: uiUrl,
    metrics: createMetrics({ pool }),
    onRejectedEvent: (e) => log.warn({ event: e }, 'event rejected'),
  });
  const url = await api.listen({ host, port: Number(process.env.PORT ?? 3000) });
  log.info({ url, host, settle, accessControl: authRequired ? 'required' : 'off (loopback only)' }, 'api listening');
  onSignals(log, async () => {
    await api.close();
    await retention.stop();
    await connection.close();
    await pool.end();
    await tracing()?.shutdown();
  });
}

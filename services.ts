// Brings up the whole service in one process tree: Temporal (the dev server with its UI unless
// TEMPORAL_ADDRESS is set), PostgreSQL (embedded unless DATABASE_URL is set), migrations, the
// worker and the API. Used by `npm start` and by the end-to-end tests.
import { Client, Connection } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { buildApi } from './api/server';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { catalogueSource, type PolicySource } from './policies/source';
import { PolicyVersionRepository } from './db/repositories/policy-versions';
import { PolicyStore } from './policies/store';
import { claimDataDir } from './stack/pid-file';
import { startPostgres, type RunningPostgres } from './stack/postgres';
import { startTemporalServer, type RunningTemporal } from './stack/temporal-server';
import type { PayloadCodec } from '@temporalio/common';
import { loadCodec } from './codec/keys';
import { startInboxRetention } from './db/retention';
import type { OidcConfig } from './api/access/oidc';
import { refuseOpenBind } from './access/loopback';
import { endUngranted } from './maintenance/end-ungranted';
import { receiversFromEnv, startOutbox } from './notifications/outbox';
import { settleWindow } from './settle';
import { createWorker } from './worker';
import { connectionOptions, temporalTargetFromEnv } from './temporal/connection';
import { checkSearchAttributes } from './temporal/search-attributes';
import { startTracing } from './observability/tracing';

export interface ServiceOptions {
  dataDir: string;
  port?: number;
  uiPort?: number | null;
  /** The embedded Temporal server's gRPC port; a free one when not given. */
  temporalPort?: number;
  /** Persist Temporal's state in dataDir (the service) or keep it in memory (tests). */
  persistTemporal?: boolean;
  policies?: PolicySource;
  workflowBundle?: WorkerOptions['workflowBundle'];
  logger?: boolean;
  temporalArgs?: string[];
  /** Where escalations are delivered to the case system; default NOTIFY_URL; none: not delivered. */
  notifyUrl?: string;
  notifyPollMs?: number;
  /** A receiver of its own per municipality; default NOTIFY_URLS (municipality=url,...). */
  notifyReceivers?: Record<string, string>;
  /** How long one delivery may take; default NOTIFY_TIMEOUT_MS or 10 s. */
  notifyTimeoutMs?: number;
  /** The payload codec; by default each municipality's keys from the key ring in dataDir. */
  codec?: PayloadCodec;
  /** The Temporal UI the overview links to; default TEMPORAL_UI_URL, else the embedded server's UI. */
  temporalUiUrl?: string;
  /** The settling window (ISO duration) for new measures; default INDSATSFLOW_SETTLE or PT30S. */
  settle?: string;
  /** Where the API listens; default HOST or 127.0.0.1. Anything but loopback needs authRequired. */
  host?: string;
  /** Access control on; default INDSATSFLOW_AUTH=required. */
  authRequired?: boolean;
  oidc?: OidcConfig;
  rateLimitPerMinute?: number;
  /** Days an inbox body is kept; default INDSATSFLOW_INBOX_RETENTION_DAYS or 90. */
  inboxRetentionDays?: number;
  log?: (line: string) => void;
}

export interface Services {
  apiUrl: string;
  /** Whether access control is on (the banner says so when it is not). */
  authRequired: boolean;
  temporalAddress: string;
  namespace: string;
  uiUrl?: string;
  pool: Pool;
  client: Client;
  api: FastifyInstance;
  /** The embedded servers' processes (fault tests kill them; /health reports on them). */
  /** The embedded processes, when this service started them (not with TEMPORAL_ADDRESS or a cluster). */
  stack?: { temporal: RunningTemporal; postgres: RunningPostgres };
  /** Stops and starts the worker alone, as a crash and restart would. */
  restartWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServices(o: ServiceOptions): Promise<Services> {
  const log = o.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  // Stopping: first no restarts of the servers we are about to stop, then everything in reverse.
  const quiesce: Array<() => void> = [];
  const stop = async () => {
    for (const q of quiesce) q();
    for (const s of stops.reverse()) await s().catch((err) => log(`stop: ${(err as Error).message}`));
  };
  const host = o.host ?? process.env.HOST ?? '127.0.0.1';
  const authRequired = o.authRequired ?? process.env.INDSATSFLOW_AUTH === 'required';
  refuseOpenBind(host, authRequired);
  try {
    // One service per data folder: its PID files name the children that a later run may stop.
    const releaseDataDir = claimDataDir(o.dataDir);
    stops.push(async () => releaseDataDir());
    const settle = settleWindow(o.settle ?? process.env.INDSATSFLOW_SETTLE);
    // Before the client and the worker: they take their interceptors from it (off: none).
    const tracing = await startTracing('all-in-one');
    if (tracing) stops.push(() => tracing.flush());
    const [temporal, pg] = await Promise.all([
      startTemporalServer({
        pidFile: join(o.dataDir, 'temporal.pid'),
        notice: log,
        dbFile: o.persistTemporal ? join(o.dataDir, 'temporal.sqlite') : undefined,
        uiPort: o.uiPort,
        port: o.temporalPort,
        // The UI decrypts payloads through our codec endpoint (when the API's port is known).
        extraArgs: [
          ...(o.temporalArgs ?? []),
          ...(o.uiPort !== null && o.port ? ['--ui-codec-endpoint', `http://127.0.0.1:${o.port}/codec`] : []),
        ],
      }),
      startPostgres({ dataDir: join(o.dataDir, 'postgres'), notice: log }),
    ]);
    quiesce.push(temporal.stopRestarting, pg.stopRestarting);
    stops.push(temporal.stop, pg.stop);
    log(`temporal at ${temporal.address}${temporal.uiUrl ? `, UI at ${temporal.uiUrl}` : ''}; postgres ready`);

    const pool = createPool(pg.url, log);
    stops.push(() => pool.end());
    const applied = await migrate(pool);
    if (applied.length) log(`migrations applied: ${applied.join(', ')}`);

    // TEMPORAL_ADDRESS (with TLS, mTLS or an API key) is a real cluster: it must know our search attributes.
    const external = temporalTargetFromEnv();
    const security = { tls: external?.tls, apiKey: external?.apiKey };
    const connection = await Connection.connect(connectionOptions({ address: temporal.address, ...security }));
    stops.push(() => connection.close());
    if (external) await checkSearchAttributes(connection, temporal.namespace);
    const codec = o.codec ?? loadCodec(o.dataDir);
    const dataConverter = { payloadCodecs: [codec] };
    const client = new Client({
      connection,
      namespace: temporal.namespace,
      dataConverter,
      interceptors: tracing?.client,
    });

    let running: { run: Promise<void>; shutdown: () => Promise<void> } | undefined;
    const startWorker = async () => {
      const { worker, connection: wc } = await createWorker({
        address: temporal.address,
        namespace: temporal.namespace,
        ...security,
        pool,
        workflowBundle: o.workflowBundle,
        dataConverter,
      });
      const run = worker.run().finally(() => wc.close());
      running = {
        run,
        shutdown: async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await run;
        },
      };
    };
    const stopWorker = async () => {
      const r = running;
      running = undefined;
      if (r) await r.shutdown();
    };
    const notifyUrl = o.notifyUrl ?? process.env.NOTIFY_URL;
    const receivers = o.notifyReceivers ?? receiversFromEnv();
    if (notifyUrl || Object.keys(receivers).length) {
      const timeoutMs = o.notifyTimeoutMs ?? (Number(process.env.NOTIFY_TIMEOUT_MS) || undefined);
      const outbox = startOutbox(pool, { url: notifyUrl, receivers, pollMs: o.notifyPollMs, timeoutMs, log });
      stops.push(outbox.stop);
      log(
        `escalations are delivered to ${[notifyUrl, ...Object.entries(receivers).map(([m, u]) => `${u} (${m})`)].filter(Boolean).join(', ')}`,
      );
    }

    await startWorker();
    stops.push(stopWorker);

    // Policies live in PostgreSQL, versioned; the catalogue files (and test extras) are version 1.
    const policyStore = new PolicyStore(new PolicyVersionRepository(pool));
    const seeded = await policyStore.seed(await (o.policies ?? catalogueSource()).municipalities());
    if (seeded.length) log(`policies seeded as version 1: ${seeded.join(', ')}`);
    const retention = startInboxRetention(pool, {
      days: o.inboxRetentionDays ?? Number(process.env.INDSATSFLOW_INBOX_RETENTION_DAYS ?? 90),
      log,
    });
    stops.push(retention.stop);
    const api = await buildApi({
      pool,
      temporal: client,
      policies: policyStore.source(),
      policyStore,
      logger: o.logger,
      settle,
      codec,
      authRequired,
      oidc: o.oidc,
      rateLimitPerMinute: o.rateLimitPerMinute,
      uiOrigins: temporal.uiUrl ? [temporal.uiUrl, temporal.uiUrl.replace('127.0.0.1', 'localhost')] : [],
      temporalUiUrl: o.temporalUiUrl ?? process.env.TEMPORAL_UI_URL ?? temporal.uiUrl,
    });
    const apiUrl = await api.listen({ host, port: o.port ?? 0 });
    stops.push(() => api.close());

    // Leftovers of earlier versions: measure workflows a refused grant left running in state new.
    // In the background: visibility may be slow, and the service does not wait for it.
    void endUngranted(client)
      .then((ended) => ended.length && log(`ended ${ended.length} measure workflow(s) never granted`))
      .catch((err: Error) => log(`end-ungranted: ${err.message}`));

    return {
      apiUrl,
      authRequired,
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      uiUrl: temporal.uiUrl,
      pool,
      client,
      api,
      stack: { temporal, postgres: pg },
      stopWorker,
      startWorker,
      restartWorker: async () => {
        await stopWorker();
        await startWorker();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

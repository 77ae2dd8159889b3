// A real Temporal cluster on this machine: the Temporal server (frontend, history, matching and
// worker services in one process, 16 history shards) on PostgreSQL (the temporal and
// temporal_visibility databases, schema applied with Temporal's own SQL tool), the standalone UI
// server with our codec endpoint, and a namespace with our search attributes. `npm run cluster`
// and `npm run test:cluster` start it; compose.yaml describes the same thing for containers.
import { execFile } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { freePort } from '../ports';
import { startPostgres } from '../postgres';
import { setupNamespace } from '../../temporal/setup';
import { renderDynamicConfig, renderServerConfig, renderUiConfig, type ServerPorts } from './config';
import { ensureClusterParts, type ClusterParts } from './parts';
import { supervise, waitReady, type Supervised } from './process';

export interface ClusterOptions {
  /** Where PostgreSQL and the generated configs live. */
  dataDir: string;
  /** The frontend's gRPC port; free when not given. */
  frontendPort?: number;
  /** The UI server's port; free when not given; `null`: no UI. */
  uiPort?: number | null;
  namespace?: string;
  /** The API's codec endpoint, given to the UI. */
  codecEndpoint?: string;
  /** Dynamic config settings (e.g. `limit.historyCount.suggestContinueAsNew` in tests). */
  dynamicConfig?: Record<string, string | number | boolean>;
  historyShards?: number;
  log?: (line: string) => void;
}

export interface RunningCluster {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The indsatsflow database on the cluster's PostgreSQL (the service's own tables). */
  databaseUrl: string;
  /** The server's own Prometheus metrics. */
  serverMetricsUrl: string;
  stop(): Promise<void>;
}

export const HISTORY_SHARDS = 16;
const DATABASES = ['temporal', 'temporal_visibility'] as const;

function run(file: string, args: string[]): Promise<string> {
  return new Promise((res, rej) =>
    execFile(file, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? rej(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`)) : res(stdout + stderr),
    ),
  );
}

/** Creates both databases and applies the schema; an applied schema is brought up to date only. */
async function applySchema(parts: ClusterParts, url: URL, log: (l: string) => void): Promise<void> {
  const conn = {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  const admin = new PgClient({ ...conn, database: 'postgres' });
  await admin.connect();
  try {
    for (const db of DATABASES) {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${db}`);
    }
  } finally {
    await admin.end();
  }
  for (const db of DATABASES) {
    const schema = join(parts.schemaDir, db === 'temporal' ? 'temporal' : 'visibility');
    const base = ['--plugin', 'postgres12', '--ep', conn.host, '-p', String(conn.port)];
    const auth = ['-u', conn.user, '--pw', conn.password, '--db', db];
    const probe = new PgClient({ ...conn, database: db });
    await probe.connect();
    const fresh = !(await probe.query(`SELECT to_regclass('public.schema_version') AS t`)).rows[0].t;
    await probe.end();
    if (fresh) {
      log(`cluster: ${db}: setting up the schema`);
      await run(parts.sqlTool, [...base, ...auth, 'setup-schema', '-v', '0.0']);
    }
    await run(parts.sqlTool, [...base, ...auth, 'update-schema', '-d', join(schema, 'versioned')]);
  }
}

/** A free port below 32768: the cluster_membership table keeps rpc ports as smallint. */
async function lowFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((res) => {
      const srv = createNetServer();
      srv.once('error', () => res(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

async function serverPorts(frontend?: number): Promise<ServerPorts> {
  const f = lowFreePort;
  return {
    frontend: frontend ?? (await f()),
    frontendHttp: await f(),
    frontendMembership: await f(),
    history: await f(),
    historyMembership: await f(),
    matching: await f(),
    matchingMembership: await f(),
    worker: await f(),
    workerMembership: await f(),
    metrics: await f(),
  };
}

export async function startTemporalCluster(o: ClusterOptions): Promise<RunningCluster> {
  const log = o.log ?? (() => undefined);
  const dataDir = resolve(o.dataDir);
  const namespace = o.namespace ?? 'default';
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log(`cluster stop: ${(err as Error).message}`));
  };
  try {
    const started = Date.now();
    const [parts, pg] = await Promise.all([
      ensureClusterParts(log),
      startPostgres({ dataDir: join(dataDir, 'postgres') }),
    ]);
    stops.push(pg.stop);
    const pgUrl = new URL(pg.url);
    await applySchema(parts, pgUrl, log);

    const ports = await serverPorts(o.frontendPort);
    const configDir = join(dataDir, 'config');
    mkdirSync(configDir, { recursive: true });
    const dynamicConfigFile = join(configDir, 'dynamic.yaml');
    writeFileSync(dynamicConfigFile, renderDynamicConfig(o.dynamicConfig ?? {}));
    writeFileSync(
      join(configDir, 'cluster.yaml'),
      renderServerConfig({
        template: readFileSync(parts.configTemplate, 'utf8'),
        postgres: {
          host: pgUrl.hostname,
          port: Number(pgUrl.port),
          user: decodeURIComponent(pgUrl.username),
          password: decodeURIComponent(pgUrl.password),
        },
        ports,
        historyShards: o.historyShards ?? HISTORY_SHARDS,
        dynamicConfigFile,
      }),
    );
    const server = supervise(
      'temporal-server',
      parts.server,
      ['--root', dataDir, '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
      { cwd: dataDir },
    );
    stops.push(() => server.stop());
    const address = `127.0.0.1:${ports.frontend}`;
    await waitReady(
      server,
      async () => {
        const c = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          await c.workflowService.getSystemInfo({});
        } finally {
          await c.close();
        }
      },
      120_000,
    );
    const setup = await setupNamespace({ address, namespace }, { retentionDays: 7, log });
    if (setup.namespaceCreated || setup.added.length) {
      // The services' namespace caches refresh every 2 s (system.namespaceCacheRefreshInterval):
      // a workflow upserting an attribute registered a moment ago would be refused until then.
      await new Promise((r) => setTimeout(r, 4_000));
    }
    log(
      `cluster: temporal-server at ${address} (${o.historyShards ?? HISTORY_SHARDS} history shards, PostgreSQL), ` +
        `namespace ${namespace}${setup.added.length ? `, search attributes registered: ${setup.added.join(', ')}` : ''}`,
    );

    let ui: Supervised | undefined;
    let uiUrl: string | undefined;
    if (o.uiPort !== null) {
      const uiPort = o.uiPort ?? (await freePort());
      uiUrl = `http://127.0.0.1:${uiPort}`;
      const uiDir = join(dataDir, 'ui');
      mkdirSync(join(uiDir, 'config'), { recursive: true });
      writeFileSync(
        join(uiDir, 'config', 'cluster.yaml'),
        renderUiConfig({
          port: uiPort,
          temporalGrpcAddress: address,
          codecEndpoint: o.codecEndpoint,
          defaultNamespace: namespace,
          publicUrl: uiUrl,
        }),
      );
      const uiProc = supervise(
        'temporal-ui-server',
        parts.uiServer,
        ['--root', uiDir, '--config', 'config', '--env', 'cluster', 'start'],
        {
          cwd: uiDir,
        },
      );
      ui = uiProc;
      stops.push(() => uiProc.stop());
      const url = uiUrl;
      await waitReady(
        uiProc,
        async () => {
          const res = await fetch(`${url}/api/v1/settings`, { signal: AbortSignal.timeout(2_000) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
        60_000,
      );
    }
    log(`cluster: ready in ${((Date.now() - started) / 1000).toFixed(1)} s${ui ? `; UI at ${uiUrl}` : ''}`);

    // The service's own database beside Temporal's, on the same PostgreSQL.
    return {
      address,
      namespace,
      uiUrl,
      databaseUrl: pg.url,
      serverMetricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

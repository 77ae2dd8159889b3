// What every role process shares: its environment checked up front, the database (migrations
// applied under the advisory lock, so roles may start together), the Temporal connection with the
// search-attribute check, the payload key ring, a small HTTP side port for probes and metrics, and an
// orderly stop on SIGTERM.
import { Connection } from '@temporalio/client';
import { createServer, type Server } from 'node:http';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { MunicipalCodec } from '../codec/municipal-codec';
import { loadCodec } from '../codec/keys';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import type { Logger } from '../observability/logger';
import { connectionOptions, describeTarget, temporalTargetFromEnv, type TemporalTarget } from '../temporal/connection';
import { checkSearchAttributes } from '../temporal/search-attributes';

export function requireEnv(role: string, names: string[]): void {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length)
    throw new Error(
      `serve ${role}: set ${missing.join(', ')} (roles run against external services; npm start embeds them)`,
    );
}

export async function openDatabase(log: Logger): Promise<Pool> {
  const pool = createPool(process.env.DATABASE_URL!);
  const applied = await migrate(pool);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  return pool;
}

export async function connectTemporal(log: Logger): Promise<{ connection: Connection; target: TemporalTarget }> {
  const target = temporalTargetFromEnv()!;
  const connection = await Connection.connect(connectionOptions(target));
  await checkSearchAttributes(connection, target.namespace);
  log.info({ temporal: describeTarget(target) }, 'temporal connected; search attributes present');
  return { connection, target };
}

/** Every API and worker process must encrypt with the same keys: each municipality's payload keys
 *  live in one key ring directory that every process mounts (INDSATSFLOW_KEYRING, from the
 *  deployment's secret store), so a key one process creates or rotates is read by all of them.
 *  INDSATSFLOW_CODEC_KEY, the single key of before, is optional: it still decrypts what it wrote. */
export function sharedCodec(role: string): MunicipalCodec {
  requireEnv(role, ['INDSATSFLOW_KEYRING']);
  return loadCodec(process.env.INDSATSFLOW_KEYRING!);
}

export interface SidePort {
  server: Server;
  url: string;
}

/** /health/live, /health/ready and /metrics for a role without the API's HTTP server. */
export async function startSidePort(o: {
  host: string;
  port: number;
  registry: Registry;
  ready: () => Promise<Record<string, boolean>>;
}): Promise<SidePort> {
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    void (async () => {
      try {
        if (req.url === '/health/live') return send(200, 'application/json', '{"status":"live"}');
        if (req.url === '/health/ready') {
          const checks = await o.ready();
          const ok = Object.values(checks).every(Boolean);
          return send(
            ok ? 200 : 503,
            'application/json',
            JSON.stringify({ status: ok ? 'ready' : 'not-ready', checks }),
          );
        }
        if (req.url === '/metrics') return send(200, o.registry.contentType, await o.registry.metrics());
        send(404, 'application/json', '{"error":"not-found"}');
      } catch {
        send(503, 'application/json', '{"status":"not-ready"}');
      }
    })();
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(o.port, o.host, () => res());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return { server, url: `http://${o.host}:${port}` };
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

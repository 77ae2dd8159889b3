// `npm run serve -- api|worker|outbox`: one role of the service, against external Temporal
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS/mTLS, API key) and PostgreSQL (DATABASE_URL), so
// that each scales on its own. `npm start` stays the all-in-one embedded default.
import { createLogger } from './observability/logger';
import { installRuntime } from './observability/runtime';
import { startTracing, tracingWanted } from './observability/tracing';
import { serveApi } from './roles/api';
import { serveOutbox } from './roles/outbox';
import { serveWorker } from './roles/worker';

const ROLES = { api: serveApi, worker: serveWorker, outbox: serveOutbox } as const;

async function main() {
  const role = process.argv[2] as keyof typeof ROLES | undefined;
  if (!role || !(role in ROLES)) {
    console.error(`usage: npm run serve -- ${Object.keys(ROLES).join('|')}`);
    process.exit(2);
  }
  const log = createLogger(role);
  // The SDK's own metrics are the worker's: TEMPORAL_METRICS_BIND, default 127.0.0.1:9464 there.
  if (role === 'worker') process.env.TEMPORAL_METRICS_BIND ??= `${process.env.HOST ?? '127.0.0.1'}:9464`;
  installRuntime(log, role === 'worker' ? process.env.TEMPORAL_METRICS_BIND || undefined : undefined);
  log.info({ node: process.version, version: process.env.npm_package_version }, `starting the ${role} role`);
  try {
    // The outbox has no Temporal calls and no API to trace.
    if (role !== 'outbox' && tracingWanted()) {
      await startTracing(role);
      // The origin only: an endpoint URL may carry credentials.
      const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT!;
      log.info({ endpoint: URL.canParse(endpoint) ? new URL(endpoint).origin : '(unparsable)' }, 'tracing: OTLP/HTTP');
    }
    await ROLES[role](log);
  } catch (err) {
    log.fatal({ err: { message: (err as Error).message } }, `the ${role} role could not start`);
    process.exit(1);
  }
}

void main();

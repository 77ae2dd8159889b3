// `npm run cluster`: a real Temporal cluster on this machine (server on PostgreSQL, 16 history
// shards, the UI server with the codec endpoint) and the service as separate role processes
// against it: API (PORT, default 3000), workers (CLUSTER_WORKERS, default 2), and the outbox when
// NOTIFY_URL is set. Ctrl-C stops it all. State in $INDSATSFLOW_DATA/cluster (default .data).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRole, type RoleEnv, type RoleProcess } from '../stack/cluster/roles';
import { startTemporalCluster } from '../stack/cluster/temporal-cluster';

function codecKey(dataDir: string): string {
  if (process.env.INDSATSFLOW_CODEC_KEY) return process.env.INDSATSFLOW_CODEC_KEY;
  const file = join(dataDir, 'codec.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main() {
  const dataDir = resolve(process.env.INDSATSFLOW_DATA ?? '.data', 'cluster');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const port = Number(process.env.PORT ?? 3000);
  const log = (l: string) => console.log(l);
  const cluster = await startTemporalCluster({
    dataDir,
    frontendPort: Number(process.env.TEMPORAL_PORT ?? 7233),
    uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233),
    codecEndpoint: `http://127.0.0.1:${port}/codec`,
    log,
  });
  const env: RoleEnv = {
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    DATABASE_URL: cluster.databaseUrl,
    INDSATSFLOW_KEYRING: join(dataDir, 'keys'),
    // The single key of before: decrypts what an older cluster in this folder wrote.
    INDSATSFLOW_CODEC_KEY: codecKey(dataDir),
    TEMPORAL_UI_URL: cluster.uiUrl,
  };
  const roles: RoleProcess[] = [];
  const stop = async () => {
    await Promise.all(roles.map((r) => r.proc.stop()));
    await cluster.stop();
  };
  try {
    const workers = Number(process.env.CLUSTER_WORKERS ?? 2);
    for (let i = 1; i <= workers; i++) roles.push(await startRole('worker', i, env, log));
    roles.push(await startRole('api', 1, env, log, port));
    if (process.env.NOTIFY_URL) roles.push(await startRole('outbox', 1, env, log));
  } catch (err) {
    await stop();
    throw err;
  }
  console.log(`
Indsatsflow on a Temporal cluster (data in ${dataDir})
  API               http://127.0.0.1:${port}   (/metrics, /health/ready)
  Temporal          ${cluster.address} (namespace ${cluster.namespace}; server metrics ${cluster.serverMetricsUrl})
  Temporal UI       ${cluster.uiUrl}/namespaces/${cluster.namespace}/workflows
  roles             ${roles.map((r) => `${r.name} ${r.url}`).join(', ')}
Press Ctrl-C to stop.`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the roles, Temporal and PostgreSQL...');
    void stop().then(() => process.exit(0));
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

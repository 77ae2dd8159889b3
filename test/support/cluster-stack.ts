// The test stack when `npm run test:cluster` runs the suite: the service runs as separate role
// processes on a real Temporal cluster (scripts/test-cluster.ts starts them and names them here);
// the test talks to the API processes in turn, reads the same PostgreSQL, and asks the runner to
// stop and start the worker processes where a test stops and starts "the worker".
import type { PayloadCodec } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { loadCodec } from '../../codec/keys';
import { createPool } from '../../db/pool';
import { PolicyVersionRepository } from '../../db/repositories/policy-versions';
import type { PolicyStore as PolicyStoreType } from '../../policies/store';
import { PolicyStore } from '../../policies/store';
import type { ServiceOptions, Services } from '../../services';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../temporal/bundle';
import { testMunicipality } from '../fixtures/test-policy';

/** Set by scripts/test-cluster.ts: the API processes, and where to stop and start the workers. */
export const clusterApis = (): string[] =>
  (process.env.INDSATSFLOW_CLUSTER_APIS ?? '').split(',').filter((u) => u.length > 0);

export async function startClusterServices(
  options: Partial<ServiceOptions>,
  quietLogger: Parameters<typeof bundleWorkflowCode>[0]['logger'],
): Promise<Services & { workflowBundle: { code: string }; payloadCodec: PayloadCodec }> {
  const apis = clusterApis();
  const control = process.env.INDSATSFLOW_CLUSTER_CONTROL!;
  const workflowBundle = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: quietLogger,
  });
  const pool = createPool(process.env.DATABASE_URL!);
  // The API processes read policies from the database: the test municipality is seeded there.
  const store: PolicyStoreType = new PolicyStore(new PolicyVersionRepository(pool));
  await store.seed([testMunicipality(), ...((await options.policies?.municipalities()) ?? [])]);
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  // The workers encrypt with each municipality's key from the shared key ring: the suite reads
  // with the same ring (and the fixed test key, which it encrypts with, as 'env').
  const codec = process.env.INDSATSFLOW_KEYRING ? loadCodec(process.env.INDSATSFLOW_KEYRING) : options.codec;
  const client = new Client({ connection, namespace, dataConverter: codec ? { payloadCodecs: [codec] } : undefined });
  const workers = async (action: 'stop' | 'start') => {
    const res = await fetch(`${control}/workers/${action}`, { method: 'POST' });
    if (!res.ok) throw new Error(`test-cluster control: workers/${action}: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    apiUrl: apis[0]!,
    authRequired: process.env.INDSATSFLOW_TEST_API_KEY !== undefined,
    temporalAddress: process.env.TEMPORAL_ADDRESS!,
    namespace,
    pool,
    client,
    api: undefined as unknown as FastifyInstance,
    workflowBundle,
    payloadCodec: codec ?? options.codec!,
    stopWorker: () => workers('stop'),
    startWorker: () => workers('start'),
    restartWorker: async () => {
      await workers('stop');
      await workers('start');
    },
    stop: async () => {
      await connection.close();
      await pool.end();
    },
  };
}

let turn = 0;
/** The next API process, in turn: consecutive requests of a test go to different processes. */
export function nextApi(fallback: string): string {
  const apis = clusterApis();
  if (!apis.length) return fallback;
  turn = (turn + 1) % apis.length;
  return apis[turn]!;
}

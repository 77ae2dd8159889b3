// The Temporal worker: hosts the measure workflows and runs their activities.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from './activities';
import { connectionOptions, type TemporalTarget } from './temporal/connection';
import { prebuiltBundle } from './temporal/bundle';
import { TASK_QUEUE } from './workflows/ids';

export interface WorkerConfig {
  address: string;
  namespace: string;
  /** TLS, mTLS or an API key for an external Temporal (temporal/connection.ts). */
  tls?: TemporalTarget['tls'];
  apiKey?: string;
  pool: Pool;
  /** A prebuilt bundle (tests build one and share it between workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Encrypts payloads; the client must use the same. */
  dataConverter?: WorkerOptions['dataConverter'];
}

export const WORKFLOWS_PATH = require.resolve('./workflows/index');

export async function createWorker(cfg: WorkerConfig): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect(connectionOptions(cfg));
  // Given (tests), else the one `npm run build` wrote (production), else bundled now (development).
  const workflowBundle = cfg.workflowBundle ?? prebuiltBundle();
  const worker = await Worker.create({
    connection,
    namespace: cfg.namespace,
    taskQueue: TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(cfg.pool),
    dataConverter: cfg.dataConverter,
  });
  return { worker, connection };
}

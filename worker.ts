// The Temporal worker: hosts the measure workflows and runs their activities.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from './activities';
import { TASK_QUEUE } from './workflows/ids';

export interface WorkerConfig {
  address: string;
  namespace: string;
  pool: Pool;
  /** A prebuilt bundle (tests build one and share it between workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Encrypts payloads; the client must use the same. */
  dataConverter?: WorkerOptions['dataConverter'];
}

export const WORKFLOWS_PATH = require.resolve('./workflows/index');

export async function createWorker(cfg: WorkerConfig): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: cfg.address });
  const worker = await Worker.create({
    connection,
    namespace: cfg.namespace,
    taskQueue: TASK_QUEUE,
    ...(cfg.workflowBundle ? { workflowBundle: cfg.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(cfg.pool),
    dataConverter: cfg.dataConverter,
  });
  return { worker, connection };
}

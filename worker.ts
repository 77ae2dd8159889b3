// The Temporal worker: hosts the measure workflows and runs their activities.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from './activities';
import { connectionOptions, type TemporalTarget } from './temporal/connection';
import { prebuiltBundle, WORKFLOW_INTERCEPTOR_MODULES } from './temporal/bundle';
import { workerTracing } from './observability/tracing';
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
  /** Default INDSATSFLOW_MAX_CACHED_WORKFLOWS, else DEFAULT_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
}

export const WORKFLOWS_PATH = require.resolve('./workflows/index');

/**
 * How many measure workflows the worker keeps in memory between their tasks. A live measure
 * sleeps for days between deadlines and events; evicted, it costs the worker nothing and is
 * replayed from its (short, continued-as-new) history when it next wakes. The SDK's default
 * grows with the heap limit and let every live measure stay cached (about 450 KB each), so memory
 * grew with the number of measures. A cached measure costs the worker about 740 KB, so 500 cached
 * is about 370 MB above the process's 330 MB at start. See bench/RESULTS.md (npm run bench:memory).
 */
export function maxCachedWorkflows(): number {
  const v = Number(process.env.INDSATSFLOW_MAX_CACHED_WORKFLOWS);
  return Number.isInteger(v) && v >= 0 ? v : DEFAULT_MAX_CACHED_WORKFLOWS;
}
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

export async function createWorker(cfg: WorkerConfig): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect(connectionOptions(cfg));
  // Given (tests), else the one `npm run build` wrote (production), else bundled now (development).
  const workflowBundle = cfg.workflowBundle ?? prebuiltBundle();
  const tracing = workerTracing();
  const worker = await Worker.create({
    connection,
    namespace: cfg.namespace,
    taskQueue: TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // A bundle carries its workflow interceptors; one built here gets the same as a prebuilt one.
    interceptors: {
      ...tracing.interceptors,
      ...(workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
    },
    sinks: tracing.sinks,
    activities: createActivities(cfg.pool),
    dataConverter: cfg.dataConverter,
    maxCachedWorkflows: cfg.maxCachedWorkflows ?? maxCachedWorkflows(),
  });
  return { worker, connection };
}

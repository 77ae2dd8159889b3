// The Temporal worker: hosts the measure workflows and runs their activities.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from './activities';
import { connectionOptions, type TemporalTarget } from './temporal/connection';
import { prebuiltBundle, WORKFLOW_BUNDLE_OPTIONS, WORKFLOWS_PATH } from './temporal/bundle';
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

/** Reads a whole number of at least `min` from the environment, else the default. */
function envInt(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${name} must be a whole number of at least ${min} (it is ${raw})`);
  return v;
}

/**
 * How many measure workflows the worker keeps in memory between their tasks. A live measure
 * sleeps for days between deadlines and events; evicted, it costs the worker nothing and is
 * replayed from its (short, continued-as-new) history when it next wakes. The SDK's default
 * grows with the heap limit and let every live measure stay cached, so memory grew with the
 * number of measures. Since the pure core is shared by every workflow of a worker thread
 * (temporal/bundle.ts), a cached measure costs about 270 KB (it was 740–880 KB), so 1,500 cached is
 * about 400 MB above the process's 400 MB at start: under issue 14's 1 GB for the worker, and a
 * measure woken again within the last 1,500 is not replayed. See bench/RESULTS.md (bench:fleet).
 */
export function maxCachedWorkflows(): number {
  return envInt('INDSATSFLOW_MAX_CACHED_WORKFLOWS', DEFAULT_MAX_CACHED_WORKFLOWS);
}
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1_500;

/** Workflow tasks the worker runs at once (the SDK's default, 40, made explicit): a measure's task
 *  is a few milliseconds of CPU, so more in flight adds memory, not throughput, on a small host. It
 *  cannot exceed the cache (the SDK's rule), so a smaller cache lowers it. */
export const DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 40;

/** How long a task waits on the sticky queue of the worker that cached its workflow before it
 *  goes to any worker (and is replayed there). The SDK's 10 s is what every measure's first task
 *  waited after a worker restart (issue 14); a live worker picks its sticky tasks up in
 *  milliseconds, so 3 s loses nothing while it runs and a restart costs 3 s, not 10. */
export const DEFAULT_STICKY_SCHEDULE_TO_START_MS = 3_000;

/** The worker's sizing for its share of the live measures, from the environment (README). */
export function workerSizing(
  cache = maxCachedWorkflows(),
): Pick<
  WorkerOptions,
  'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'stickyQueueScheduleToStartTimeout'
> {
  const concurrent = envInt('INDSATSFLOW_MAX_CONCURRENT_WORKFLOW_TASKS', DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS, 1);
  return {
    maxCachedWorkflows: cache,
    maxConcurrentWorkflowTaskExecutions: cache > 0 ? Math.min(concurrent, cache) : concurrent,
    stickyQueueScheduleToStartTimeout: envInt(
      'INDSATSFLOW_STICKY_SCHEDULE_TO_START_MS',
      DEFAULT_STICKY_SCHEDULE_TO_START_MS,
      1,
    ),
  };
}

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
      ...(workflowBundle ? {} : { workflowModules: WORKFLOW_BUNDLE_OPTIONS.workflowInterceptorModules }),
    },
    ...(workflowBundle ? {} : { bundlerOptions: { preloadModules: WORKFLOW_BUNDLE_OPTIONS.preloadModules } }),
    sinks: tracing.sinks,
    activities: createActivities(cfg.pool),
    dataConverter: cfg.dataConverter,
    ...workerSizing(cfg.maxCachedWorkflows),
  });
  return { worker, connection };
}

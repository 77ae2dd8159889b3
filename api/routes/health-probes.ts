// GET /health/live and /health/ready, for orchestrators (Kubernetes probes, compose healthchecks).
// Live: the process answers. Ready: it can do its work: the database answers, every migration
// this code expects is applied, Temporal answers, and some worker polls the task queue. Each check
// is bounded, so a hung dependency makes the probe fail, not hang; causes go to the log.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyPluginAsync } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { pendingMigrations } from '../../db/migrations-status';
import { ping } from '../../db/ping';
import { TASK_QUEUE } from '../../workflows/ids';
import { publicRoute } from '../access/guard';
import type { App } from '../schemas';

export interface HealthProbeOptions {
  pool: Pool;
  temporal: Client;
  /** Per check; default 2 s. */
  timeoutMs?: number;
}

const check = z.object({ status: z.enum(['ok', 'failing']), detail: z.string().optional() });
const ready = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({ database: check, migrations: check, temporal: check, workerPolling: check }),
});

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const healthProbeRoutes: FastifyPluginAsync<HealthProbeOptions> = async (app, o) => {
  const ms = o.timeoutMs ?? 2_000;
  // Public: orchestrators probe without credentials; the answers name checks, never addresses.
  (app as App).get('/health/live', {
    config: publicRoute,
    schema: { description: 'The process answers', response: { 200: z.object({ status: z.literal('live') }) } },
    handler: async () => ({ status: 'live' as const }),
  });
  (app as App).get('/health/ready', {
    config: publicRoute,
    schema: {
      description: 'Database, migrations, Temporal and a polling worker: ready for traffic',
      response: { 200: ready, 503: ready.describe('Not ready: which check fails') },
    },
    handler: async (req, reply) => {
      const run = async (name: string, fn: () => Promise<string | undefined>) => {
        try {
          const detail = await bounded(fn(), ms);
          return { status: 'ok' as const, ...(detail ? { detail } : {}) };
        } catch (err) {
          req.log.warn({ err, check: name }, `ready: ${name} failing`);
          // Our own words only: a driver's message may carry an address.
          return { status: 'failing' as const, detail: (err as { publicDetail?: string }).publicDetail };
        }
      };
      const namespace = o.temporal.options.namespace;
      const [database, migrations, temporalCheck, workerPolling] = await Promise.all([
        run('database', async () => void (await ping(o.pool))),
        run('migrations', async () => {
          const pending = await pendingMigrations(o.pool);
          if (pending.length)
            throw Object.assign(new Error('pending'), { publicDetail: `pending: ${pending.join(', ')}` });
          return undefined;
        }),
        run('temporal', async () => void (await o.temporal.workflowService.getSystemInfo({}))),
        run('workerPolling', async () => {
          const d = await o.temporal.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: TASK_QUEUE },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          });
          const n = d.pollers?.length ?? 0;
          if (!n) throw Object.assign(new Error('no pollers'), { publicDetail: `no worker polls ${TASK_QUEUE}` });
          return `${n} poller${n === 1 ? '' : 's'}`;
        }),
      ]);
      const checks = { database, migrations, temporal: temporalCheck, workerPolling };
      const ok = Object.values(checks).every((c) => c.status === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
    },
  });
};

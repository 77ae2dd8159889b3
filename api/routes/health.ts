// GET /health: 200 when the database and Temporal answer, 503 naming which does not, within about
// a second whatever is down: each check is bounded, so a dependency that hangs (rather than
// refuses) shows as unreachable instead of holding the answer. The cause (an address, a driver
// message) goes to the log, not to whoever asks.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../access/guard';
import type { App } from '../schemas';

export interface HealthRoutesOptions {
  /** Each dependency's check: resolves when it is reachable; should stop when the signal aborts. */
  checks: Record<'database' | 'temporal', (signal: AbortSignal) => Promise<unknown>>;
  /** Per check (they run side by side); default 600 ms. */
  timeoutMs?: number;
}

export const HEALTH_CHECK_TIMEOUT_MS = 600;

const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string(), temporal: z.string() });

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { checks, timeoutMs }) => {
  const ms = timeoutMs ?? HEALTH_CHECK_TIMEOUT_MS;
  (app as App).get('/health', {
    config: publicRoute,
    schema: { response: { 200: health, 503: health.describe('A dependency is unreachable') } },
    handler: async (req, reply) => {
      const judge = async (name: 'database' | 'temporal') => {
        try {
          await bounded(ms, checks[name]);
          return 'ok';
        } catch (err) {
          req.log.warn({ err }, `health: ${name} unreachable`);
          return 'unreachable';
        }
      };
      const [database, temporal] = await Promise.all([judge('database'), judge('temporal')]);
      const ok = database === 'ok' && temporal === 'ok';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', database, temporal });
    },
  });
};

async function bounded(ms: number, check: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([check(abort.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

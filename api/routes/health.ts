// GET /health: 200 when the database and Temporal answer, 503 naming which does not. The cause
// (an address, a driver message) goes to the log, not to whoever asks.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../access/guard';
import type { App } from '../schemas';

export interface HealthRoutesOptions {
  /** Each dependency's check: resolves when it is reachable. */
  checks: Record<'database' | 'temporal', () => Promise<unknown>>;
}

const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string(), temporal: z.string() });

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { checks }) => {
  (app as App).get('/health', {
    config: publicRoute,
    schema: { response: { 200: health, 503: health.describe('A dependency is unreachable') } },
    handler: async (req, reply) => {
      const result = { database: 'ok', temporal: 'ok' };
      for (const name of ['database', 'temporal'] as const) {
        try {
          await checks[name]();
        } catch (err) {
          req.log.warn({ err }, `health: ${name} unreachable`);
          result[name] = 'unreachable';
        }
      }
      const ok = result.database === 'ok' && result.temporal === 'ok';
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', ...result });
    },
  });
};

// GET /metrics in Prometheus text, and the hooks that count POST /v1/events. The plugin is not
// encapsulated (skip-override, as fastify-plugin does), so its hooks see the event routes too.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { recordIntake, type ServiceMetrics } from '../../observability/metrics';
import { publicRoute } from '../access/guard';

export interface MetricsRouteOptions {
  metrics: ServiceMetrics;
  /** Logs rejected events (identifiers and codes only). */
  onRejected?: (e: { eventId?: string; source?: string; type?: string; status: number; error?: string }) => void;
}

const EVENTS = '/v1/events';
const answers = new WeakMap<FastifyRequest, unknown>();

const plugin: FastifyPluginAsync<MetricsRouteOptions> = async (app, { metrics, onRejected }) => {
  // Public, as Prometheus scrapes it (and as the worker's and outbox's side ports serve theirs):
  // counts labelled by event type, answer, municipality slug and rollout, never a measure, case or
  // person. A deployment keeps it off the public ingress (README, "Access control").
  app.get('/metrics', { config: publicRoute, schema: { hide: true } }, async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
  app.addHook('preSerialization', async (req, _reply, payload) => {
    if (req.routeOptions.url === EVENTS) answers.set(req, payload);
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url !== EVENTS || req.method !== 'POST') return;
    const answer = answers.get(req);
    recordIntake(metrics, req.body, reply.statusCode, answer, reply.elapsedTime / 1000);
    if (!onRejected) return;
    const events = Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
    const each = Array.isArray(req.body) && Array.isArray(answer) ? (answer as unknown[]) : [answer];
    events.forEach((e, i) => {
      const a = each[i] as { status?: number; error?: string } | undefined;
      const status = Array.isArray(req.body) ? (a?.status ?? reply.statusCode) : reply.statusCode;
      if (status < 400) return;
      const ev = (e ?? {}) as { id?: unknown; source?: unknown; type?: unknown };
      const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : undefined);
      onRejected({ eventId: str(ev.id), source: str(ev.source), type: str(ev.type), status, error: a?.error });
    });
  });
};
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const metricsRoutes = plugin;

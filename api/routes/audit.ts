// GET /v1/audit: the audit log of administrative actions, for the platform role.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AuditRepository } from '../../db/repositories/audit';
import { needs } from '../access/guard';
import { commonAnswers, page, pageOf, type App } from '../schemas';

const entry = z.object({
  id: z.number().int(),
  at: z.string(),
  actorKind: z.string().describe('key, person, admin-token, local, cli'),
  actor: z.string().describe('An API key id, an OIDC subject, or the OS user of the command line'),
  actorName: z.string().nullable(),
  action: z.string(),
  municipality: z.string().nullable(),
  target: z.string().nullable(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  remoteAddr: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  status: z.number().int().nullable().describe('The answer given (null: the action did not finish)'),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const auditRoutes: FastifyPluginAsync<{ audit: AuditRepository }> = async (app, { audit }) => {
  (app as App).get('/v1/audit', {
    config: needs('audit:read'),
    schema: {
      description: 'Every state-changing administrative action, newest first: who, what, when, from where.',
      querystring: z.object({ municipality: z.string().optional(), action: z.string().optional(), ...page }),
      response: { 200: pageOf(entry), ...commonAnswers },
    },
    handler: async (req) => audit.list(req.query),
  });
};

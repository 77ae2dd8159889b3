// The escalations raised, and whether the case system has been told.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { visible } from '../../access/roles';
import type { EscalationRepository } from '../../db/repositories/escalations';
import { callerOfRequest, needs } from '../access/guard';
import { commonAnswers, page, type App } from '../schemas';

const escalation = z.object({
  measureId: z.string(),
  municipality: z.string(),
  deadlineId: z.string(),
  deadlineKind: z.string(),
  dueOn: z.string(),
  level: z.number().int(),
  role: z.string(),
  raisedAt: z.string(),
  caseworkerId: z.string().nullable(),
  teamId: z.string().nullable(),
  notifiedAt: z
    .string()
    .nullable()
    .describe('When the case system accepted the notification (null: not yet, or no NOTIFY_URL)'),
});

export interface EscalationRoutesOptions {
  escalations: EscalationRepository;
}

const query = z.object({
  municipality: z.string().optional(),
  measureId: z.string().optional(),
  level: z.coerce.number().int().min(1).optional(),
  ...page,
});

export const escalationRoutes: FastifyPluginAsync<EscalationRoutesOptions> = async (app, { escalations }) => {
  const r = app as App;
  r.get('/v1/escalations', {
    config: needs('escalations:read'),
    schema: {
      description: "Escalations of the caller's municipalities (narrowed by `municipality`).",
      querystring: query,
      response: { 200: z.array(escalation), ...commonAnswers },
    },
    handler: async (req) => {
      const { municipality, ...rest } = req.query;
      const scope = visible(callerOfRequest(req), municipality);
      if (scope !== '*' && scope.length === 0) return [];
      return escalations.list({ ...rest, scope });
    },
  });

  r.get('/v1/municipalities/:municipality/escalations', {
    config: needs('escalations:read', { municipality: 'param' }),
    schema: {
      params: z.object({ municipality: z.string().min(1) }),
      querystring: query.omit({ municipality: true }),
      response: { 200: z.array(escalation), ...commonAnswers },
    },
    handler: async (req) => escalations.list({ ...req.query, scope: [req.params.municipality] }),
  });
};

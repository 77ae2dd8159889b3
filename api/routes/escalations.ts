// The escalations raised, one row per escalation, whether the case system has been told, and
// whether (and how) each has ended. Paged by an opaque cursor.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { visible } from '../../access/roles';
import type { EscalationRepository } from '../../db/repositories/escalations';
import { callerOfRequest, needs } from '../access/guard';
import { commonAnswers, flagOf, page, pageOf, type App } from '../schemas';

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
  resolvedAt: z.string().nullable().describe('When the deadline behind it ended (null: still open)'),
  resolution: z
    .enum(['met', 'met-late', 'cancelled', 'superseded'])
    .nullable()
    .describe(
      'met-late: the deadline was met after it was due; met: met by its due date but reported after the escalation; ' +
        'cancelled: closure, package change or a policy change that removed it; superseded: moved to a date not yet passed',
    ),
});

export interface EscalationRoutesOptions {
  escalations: EscalationRepository;
}

const query = z.object({
  municipality: z.string().optional(),
  measureId: z.string().optional(),
  level: z.coerce.number().int().min(1).optional(),
  open: z.enum(['true', 'false']).optional().describe('true: not yet resolved; false: resolved'),
  ...page,
});

export const escalationRoutes: FastifyPluginAsync<EscalationRoutesOptions> = async (app, { escalations }) => {
  const r = app as App;
  r.get('/v1/escalations', {
    config: needs('escalations:read'),
    schema: {
      description: "Escalations of the caller's municipalities (narrowed by `municipality`).",
      querystring: query,
      response: { 200: pageOf(escalation), ...commonAnswers },
    },
    handler: async (req) => {
      const { municipality, open, ...rest } = req.query;
      const scope = visible(callerOfRequest(req), municipality);
      if (scope !== '*' && scope.length === 0) return { items: [], next: null };
      return escalations.list({ ...rest, scope, open: flagOf(open) });
    },
  });

  r.get('/v1/municipalities/:municipality/escalations', {
    config: needs('escalations:read', { municipality: 'param' }),
    schema: {
      params: z.object({ municipality: z.string().min(1) }),
      querystring: query.omit({ municipality: true }),
      response: { 200: pageOf(escalation), ...commonAnswers },
    },
    handler: async (req) => {
      const { open, ...rest } = req.query;
      return escalations.list({ ...rest, scope: [req.params.municipality], open: flagOf(open) });
    },
  });
};

// The escalations raised, and whether the case system has been told.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { EscalationRepository } from '../../db/repositories/escalations';
import { commonAnswers, page, type App } from '../schemas';

const escalation = z.object({
  measureId: z.string(),
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

export const escalationRoutes: FastifyPluginAsync<EscalationRoutesOptions> = async (app, { escalations }) => {
  (app as App).get('/v1/escalations', {
    schema: {
      querystring: z.object({
        municipality: z.string().optional(),
        measureId: z.string().optional(),
        level: z.coerce.number().int().min(1).optional(),
        ...page,
      }),
      response: { 200: z.array(escalation), ...commonAnswers },
    },
    handler: async (req) => escalations.list(req.query),
  });
};

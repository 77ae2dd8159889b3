// The read side of measures: one with its deadlines and history, or a filtered page of them
// (keyset paging by measureId, with an opaque cursor).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { MeasureRepository } from '../../db/repositories/measures';
import { commonAnswers, errorAnswer, page, pageOf, ruleSource, type App } from '../schemas';

const deadline = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string().optional().describe('What a caseworker reads: "Første opfølgning", "Børnesamtale"'),
  expectedFrom: z.string().optional().describe('The lower bound of a range: from when it is expected'),
  dueOn: z.string(),
  status: z.string().describe('pending, overdue (computed at read time), met, cancelled'),
  metOn: z.string().optional(),
  late: z.boolean().optional().describe('On a met deadline: true when it was met after it was due'),
  escalationLevel: z.number().int(),
  basis: z.string().describe('municipal or statutory: which rule governs'),
  strength: z.string().describe('hard or soft'),
  source: ruleSource,
  alsoRequiredBy: z.array(z.object({ basis: z.string(), dueOn: z.string(), source: ruleSource })).optional(),
  approvedBy: z.string().optional().describe('For a limit moved by an extension: who approved it'),
});

const historyEntry = z
  .object({
    eventId: z.string(),
    type: z.string(),
    on: z.string(),
    at: z.string(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('An event applied to the measure, or a policy change that moved its deadlines');

const measure = z.object({
  measureId: z.string(),
  municipality: z.string(),
  measureType: z.string(),
  package: z.string().nullable(),
  state: z.string(),
  policyVersion: z.number().int(),
  caseId: z.string().nullable(),
  caseworkerId: z.string().nullable(),
  teamId: z.string().nullable(),
  deadlines: z.array(deadline),
  history: z.array(historyEntry),
  updatedAt: z.string(),
});

const measureSummary = z.object({
  measureId: z.string(),
  municipality: z.string(),
  measureType: z.string(),
  package: z.string().nullable(),
  state: z.string(),
  policyVersion: z.number().int(),
  caseworkerId: z.string().nullable(),
  teamId: z.string().nullable(),
  overdue: z.boolean(),
  nextDeadline: z
    .object({ kind: z.string(), dueOn: z.string(), status: z.string(), escalationLevel: z.number().int() })
    .nullable(),
});

export interface MeasureRoutesOptions {
  measures: MeasureRepository;
}

export const measureRoutes: FastifyPluginAsync<MeasureRoutesOptions> = async (app, { measures }) => {
  const r = app as App;

  r.get('/v1/measures/:measureId', {
    schema: {
      params: z.object({ measureId: z.string().min(1) }),
      response: { 200: measure, 404: errorAnswer.describe('No such measure'), ...commonAnswers },
    },
    handler: async (req, reply) => {
      const m = await measures.find(req.params.measureId);
      if (!m)
        return reply.status(404).send({ error: 'unknown-measure', message: `no measure ${req.params.measureId}` });
      return m;
    },
  });

  r.get('/v1/measures', {
    schema: {
      querystring: z.object({
        municipality: z.string().optional(),
        state: z.string().optional(),
        overdue: z.enum(['true', 'false']).optional(),
        caseworkerId: z.string().optional(),
        teamId: z.string().optional(),
        ...page,
      }),
      response: { 200: pageOf(measureSummary), ...commonAnswers },
    },
    handler: async (req) => {
      const { overdue, ...rest } = req.query;
      return measures.list({ ...rest, overdue: overdue === undefined ? undefined : overdue === 'true' });
    },
  });
};

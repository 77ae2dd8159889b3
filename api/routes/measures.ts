// The read side of measures: one with its deadlines and history, or a filtered page of them
// (keyset paging by measureId and municipality, with an opaque cursor). A measure is
// (municipality, measureId): /v1/municipalities/{m}/measures/{id} names both; the old
// /v1/measures/{id} finds it among the caller's municipalities (one key, one municipality).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { visible } from '../../access/roles';
import type { MeasureRepository } from '../../db/repositories/measures';
import { callerOfRequest, needs } from '../access/guard';
import { commonAnswers, errorAnswer, flagOf, page, pageOf, ruleSource, type App } from '../schemas';

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

const listQuery = z.object({
  municipality: z.string().optional(),
  state: z.string().optional(),
  overdue: z.enum(['true', 'false']).optional(),
  caseworkerId: z.string().optional(),
  teamId: z.string().optional(),
  ...page,
});
const unknownMeasure = errorAnswer.describe('No such measure among your municipalities');
const ambiguous = errorAnswer.describe(
  'Measures of this id exist in several of your municipalities: use /v1/municipalities/{m}/measures/{id}',
);

export const measureRoutes: FastifyPluginAsync<MeasureRoutesOptions> = async (app, { measures }) => {
  const r = app as App;
  const notFound = (id: string) => ({ error: 'unknown-measure', message: `no measure ${id}` });

  r.get('/v1/municipalities/:municipality/measures/:measureId', {
    config: needs('measures:read', { municipality: 'param' }),
    schema: {
      params: z.object({ municipality: z.string().min(1), measureId: z.string().min(1) }),
      response: { 200: measure, 404: unknownMeasure, ...commonAnswers },
    },
    handler: async (req, reply) =>
      (await measures.find(req.params.municipality, req.params.measureId)) ??
      reply.status(404).send(notFound(req.params.measureId)),
  });

  r.get('/v1/municipalities/:municipality/measures', {
    config: needs('measures:read', { municipality: 'param' }),
    schema: {
      params: z.object({ municipality: z.string().min(1) }),
      querystring: listQuery.omit({ municipality: true }),
      response: { 200: pageOf(measureSummary), ...commonAnswers },
    },
    handler: async (req) => {
      const { overdue, ...rest } = req.query;
      return measures.list({
        ...rest,
        scope: [req.params.municipality],
        overdue: flagOf(overdue),
      });
    },
  });

  r.get('/v1/measures/:measureId', {
    config: needs('measures:read'),
    schema: {
      description: "A measure among the caller's municipalities (one municipality's key: its measure).",
      params: z.object({ measureId: z.string().min(1) }),
      response: { 200: measure, 404: unknownMeasure, 409: ambiguous, ...commonAnswers },
    },
    handler: async (req, reply) => {
      const found = await measures.registrations(callerOfRequest(req).municipalities, req.params.measureId);
      if (found.length === 0) return reply.status(404).send(notFound(req.params.measureId));
      if (found.length > 1)
        return reply.status(409).send({
          error: 'ambiguous-measure',
          message: `measure ${req.params.measureId} exists in ${found.map((f) => f.municipality).join(', ')}: use /v1/municipalities/{m}/measures/{id}`,
        });
      return (
        (await measures.find(found[0].municipality, req.params.measureId)) ??
        reply.status(404).send(notFound(req.params.measureId))
      );
    },
  });

  r.get('/v1/measures', {
    config: needs('measures:read'),
    schema: {
      description: "Measures of the caller's municipalities (narrowed by `municipality`).",
      querystring: listQuery,
      response: { 200: pageOf(measureSummary), ...commonAnswers },
    },
    handler: async (req) => {
      const { overdue, municipality, ...rest } = req.query;
      const scope = visible(callerOfRequest(req), municipality);
      if (scope !== '*' && scope.length === 0) return { items: [], next: null };
      return measures.list({ ...rest, scope, overdue: flagOf(overdue) });
    },
  });
};

// POST /v1/events: the case systems' CloudEvents, one or a batch. The intake (api/events.ts)
// validates itself, so that a rejected event is still stored with its answer; the schemas here
// document the contract: each event type's `data`, and every answer.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { CONTRACT_EVENT_TYPES as eventTypes } from '../../machines/event-catalogue';
import { dataSchemas, envelopeSchema } from '../event-schemas';
import { callerOfRequest, needs } from '../access/guard';
import type { EventIntake } from '../events';
import { commonAnswers, errorAnswer, internalError, issue, type App } from '../schemas';

/** The envelope with its type's data, per type: what the OpenAPI document shows. */
const typedEvent = z.discriminatedUnion(
  'type',
  eventTypes.map((type) => envelopeSchema.extend({ type: z.literal(type), data: dataSchemas[type] })) as unknown as [
    z.ZodObject<{ type: z.ZodLiteral<string> }>,
    ...z.ZodObject<{ type: z.ZodLiteral<string> }>[],
  ],
);
const eventBody = z
  .union([typedEvent, z.array(typedEvent)])
  .describe('One CloudEvents 1.0 event in structured JSON mode, or a JSON array of them');

const accepted = z
  .object({
    id: z.string(),
    measureId: z.string(),
    state: z.string(),
    duplicate: z.boolean().describe('true when this event was accepted before: the earlier answer, again'),
    warnings: z
      .array(z.string())
      .optional()
      .describe('Soft rules the event broke: accepted, and the case system is told'),
  })
  .describe('Accepted: applied to the measure');
const invalidEvent = z
  .object({ error: z.literal('invalid-event'), issues: z.array(issue) })
  .describe('Not a valid event: what is wrong, and where');
const notFound = errorAnswer.describe(
  'Unknown municipality, measure type, package or measure (a measure of another municipality is unknown too)',
);
const forbidden = errorAnswer.describe("A grant (or a `municipality` attribute) naming a municipality not the key's");
const refused = z
  .looseObject({
    error: z.literal('invalid-transition'),
    code: z.string().describe('Stable, English: what was refused (count-limit-reached, wrong-approver, ...)'),
    state: z.string(),
    message: z.string().describe('In Danish, fit to show a caseworker'),
    detail: z.string().describe('In English, for the case-system developer'),
  })
  .describe("The measure's machine refuses the event in its state");
const unavailable = z
  .object({ error: z.literal('unavailable'), message: z.string() })
  .describe('Stored, but could not be processed now (Temporal or the database unreachable): send it again');
const batchItem = z
  .looseObject({ status: z.number().int() })
  .describe("One event's answer in a batch, in order: its status beside the body it would have had alone");
const batch = z.array(batchItem);
/** A batch whose answers all have the same status is answered with that status. */
const orBatch = <T extends z.ZodType>(one: T) => z.union([one, batch]);

export interface EventRoutesOptions {
  intake: EventIntake;
}

/** A body that could not be parsed still reaches the handler, so that it can be stored. */
export interface Unparsed {
  __unparsed: string;
  error: string;
}
const isUnparsed = (b: unknown): b is Unparsed => typeof b === 'object' && b !== null && '__unparsed' in b;

export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, { intake }) => {
  (app as App).post('/v1/events', {
    config: needs('events:send'),
    schema: {
      description:
        'Receive one CloudEvent or a batch. Every event is stored with its answer before the answer is sent.',
      body: eventBody,
      response: {
        202: orBatch(accepted),
        207: batch.describe('A batch whose events were answered differently'),
        400: orBatch(invalidEvent),
        401: commonAnswers[401],
        403: orBatch(forbidden),
        404: orBatch(notFound),
        409: orBatch(refused),
        429: commonAnswers[429],
        500: internalError,
        503: orBatch(unavailable),
      },
    },
    // The intake validates itself: a rejected event must still be stored, with its answer.
    validatorCompiler: () => (data) => ({ value: data }),
    handler: async (req, reply) => {
      const body = req.body as unknown;
      const caller = callerOfRequest(req);
      const answer = isUnparsed(body)
        ? await intake.receive(undefined, body.__unparsed, body.error, caller)
        : await intake.receive(body, undefined, undefined, caller);
      return reply.status(answer.status as 202).send(answer.body as z.output<typeof accepted>);
    },
  });
};

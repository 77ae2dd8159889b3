// POST /v1/events: the case systems' CloudEvents, one or a batch. The intake (api/events.ts)
// reads and validates the body itself, so that whatever arrives is stored with its answer: this
// scope takes every content type as bytes, and records what Fastify refuses before the handler
// (a body over the limit). The schemas here document the contract: each event type's `data`, and
// every answer.
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Delivery } from '../../db/repositories/inbox';
import { CONTRACT_EVENT_TYPES as eventTypes } from '../../machines/event-catalogue';
import { errorHandler } from '../error-handler';
import { dataSchemas, envelopeSchema } from '../event-schemas';
import { callerOfRequest, needs } from '../access/guard';
import { EVENT_LIMITS, unsupportedMediaType, type EventIntake } from '../events';
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
      .array(
        z.object({
          code: z.string().describe('Stable, English: which soft rule (age-above-limit, count-limit-exceeded, ...)'),
          message: z.string().describe('In Danish, fit to show a caseworker'),
          detail: z.string().describe('In English, for the case-system developer'),
        }),
      )
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
  .union([
    z
      .looseObject({
        error: z.literal('invalid-transition'),
        code: z.string().describe('Stable, English: what was refused (count-limit-reached, wrong-approver, ...)'),
        state: z.string(),
        message: z.string().describe('In Danish, fit to show a caseworker'),
        detail: z.string().describe('In English, for the case-system developer'),
      })
      .describe("The measure's machine refuses the event in its state"),
    z
      .object({
        error: z.literal('not-yet-granted'),
        state: z.literal('new'),
        retry: z.literal(true),
        message: z.string(),
      })
      .describe("The measure's grant is still being processed: send the event again (Retry-After)"),
  ])
  .describe('Refused in the measure’s state, or not yet granted (retry)');
const unavailable = z
  .object({ error: z.literal('unavailable'), message: z.string() })
  .describe(
    'Not stored, or stored but not processed now (the database or Temporal unreachable, or too slow): send it again after Retry-After seconds',
  );
const tooLarge = z
  .object({ error: z.enum(['too-large', 'too-many-events']), message: z.string(), limit: z.number().int() })
  .describe(
    `A body over ${EVENT_LIMITS.bodyBytes} bytes, or a batch of more than ${EVENT_LIMITS.batchItems} events: recorded, not processed`,
  );
const unsupportedType = z
  .object({ error: z.literal('unsupported-media-type'), message: z.string() })
  .describe('Not application/json, application/cloudevents+json or application/cloudevents-batch+json: recorded');
const unprocessable = z
  .object({ error: z.literal('unprocessable'), message: z.string() })
  .describe("Valid, but the measure's state could not be stored with it: nothing applied");
const batchItem = z
  .looseObject({ status: z.number().int() })
  .describe("One event's answer in a batch, in order: its status beside the body it would have had alone");
const batch = z.array(batchItem);
/** A batch whose answers all have the same status is answered with that status. */
const orBatch = <T extends z.ZodType>(one: T) => z.union([one, batch]);

export interface EventRoutesOptions {
  intake: EventIntake;
}

/** The answers given before the intake is reached: the guard's (no or bad credentials, a key that
 *  may not send events, a host not answered) and, should it not come through the error handler,
 *  the rate limit's. */
const REFUSED_AT_THE_DOOR = new Set([401, 403, 429]);

/** What is known of a request before its body is read. */
const deliveryOf = (req: FastifyRequest): Delivery => {
  const length = Number(req.headers['content-length']);
  return {
    caller: req.caller?.id,
    contentType: req.headers['content-type'],
    contentLength: Number.isFinite(length) ? length : undefined,
    remoteAddr: req.ip,
    requestId: req.id,
  };
};

export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, { intake }) => {
  // Every content type reaches the intake as bytes: a wrong one is stored and answered 415 there.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: EVENT_LIMITS.bodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  // Refused before the handler (a body over the limit, a broken length, a content type Fastify
  // cannot read, the rate limit): recorded, then answered in the shapes the schema documents.
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) return errorHandler(err, req, reply);
    const answer =
      status === 413
        ? {
            status,
            body: {
              error: 'too-large',
              message: `Indholdet er for stort (the body is over ${EVENT_LIMITS.bodyBytes} bytes)`,
              limit: EVENT_LIMITS.bodyBytes,
            },
          }
        : status === 415
          ? unsupportedMediaType(String(req.headers['content-type'] ?? '(ingen)'))
          : status === 400
            ? { status, body: { error: 'invalid-event', issues: [{ path: '(body)', message: err.message }] } }
            : status === 429
              ? { status, body: { error: 'too-many-requests', message: err.message } }
              : { status, body: { error: 'bad-request', message: err.message } };
    recorded.add(req);
    // The rate limit refuses after the body is read: it is kept too.
    const r = await intake.refuse(deliveryOf(req), Buffer.isBuffer(req.body) ? req.body : undefined, answer);
    // The rest of an oversized body is not read: the connection is closed after the answer.
    if (status === 413) void reply.header('connection', 'close');
    return reply
      .status(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });

  // Refused before the intake (the guard at onRequest: nothing read yet, so the delivery's
  // metadata; the rate limit at preHandler: the body too): recorded with the answer, like every
  // other delivery. The intake's own refusals (its 403 forbidden-municipality) are stored already.
  const recorded = new WeakSet<FastifyRequest>();
  app.addHook('onSend', async (req, reply, payload) => {
    if (!REFUSED_AT_THE_DOOR.has(reply.statusCode) || recorded.has(req)) return payload;
    recorded.add(req);
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(String(payload));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // not JSON: the status is what matters
    }
    await intake.refuse(deliveryOf(req), Buffer.isBuffer(req.body) ? req.body : undefined, {
      status: reply.statusCode,
      body,
    });
    return payload;
  });

  (app as App).post('/v1/events', {
    bodyLimit: EVENT_LIMITS.bodyBytes,
    config: needs('events:send'),
    schema: {
      description:
        `Receive one CloudEvent or a batch (at most ${EVENT_LIMITS.batchItems} events, ${EVENT_LIMITS.bodyBytes} bytes). ` +
        'Every delivery is stored with its answer before the answer is sent, or answered 503 with Retry-After.',
      body: eventBody,
      response: {
        202: orBatch(accepted),
        207: batch.describe('A batch whose events were answered differently'),
        400: orBatch(invalidEvent),
        401: commonAnswers[401],
        403: orBatch(forbidden),
        404: orBatch(notFound),
        409: orBatch(refused),
        413: tooLarge,
        415: unsupportedType,
        422: orBatch(unprocessable),
        429: commonAnswers[429],
        500: internalError,
        503: orBatch(unavailable),
      },
    },
    // The intake validates itself: a rejected event must still be stored, with its answer.
    validatorCompiler: () => (data) => ({ value: data }),
    handler: async (req, reply) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      recorded.add(req);
      const answer = await intake.receive(deliveryOf(req), bytes, req.headers, callerOfRequest(req));
      // What was judged, in place of the bytes: the metrics hooks count it by type and answer.
      (req as { body: unknown }).body = answer.judged;
      return reply
        .status(answer.status as 202)
        .headers(answer.headers ?? {})
        .send(answer.body as z.output<typeof accepted>);
    },
  });
};

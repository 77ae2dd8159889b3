// Errors that reach Fastify. A request the schemas refuse is a 400 that names what and where; any
// other 4xx keeps its clear message. A 5xx never echoes internals (a database address, a stack):
// the answer carries the request id as correlationId and the detail goes to the log only.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** Stable codes for the 4xx answers Fastify and its plugins give. */
const CODES: Record<number, string> = {
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
};

const INTERNAL_MESSAGE = 'Der opstod en intern fejl; prøv igen senere (an internal error occurred; try again later)';

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(err)) {
    return reply.status(400).send({
      error: 'invalid-request',
      issues: err.validation.map((v) => ({
        path: `${err.validationContext ?? ''}${v.instancePath.replace(/\//g, '.')}`,
        message: v.message,
      })),
    });
  }
  const status = err.statusCode ?? 500;
  if (status < 500) return reply.status(status).send({ error: CODES[status] ?? 'bad-request', message: err.message });
  req.log.error({ err, correlationId: req.id }, 'request failed');
  return reply.status(status).send({ error: 'internal', message: INTERNAL_MESSAGE, correlationId: req.id });
}

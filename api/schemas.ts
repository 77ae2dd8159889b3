// What every route family shares: paging, the error answers, and the app type route plugins are
// registered on. Answer schemas describe what is sent; the serializer drops keys a schema does
// not name, so open shapes (error details, policy documents) are loose objects.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** A Fastify instance (or encapsulated scope) whose routes take zod schemas. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The most rows one page of a list answers. */
export const MAX_LIMIT = 1000;

/** Keyset paging: a page of at most `limit` rows, and an opaque cursor to the next. */
export const page = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100).describe(`Rows per page (at most ${MAX_LIMIT})`),
  cursor: z.string().min(1).max(512).optional().describe('The `next` of the page before; omitted: the first page'),
};

/** A `true`/`false` query parameter as a boolean (absent: undefined, no filter). */
export const flagOf = (v: 'true' | 'false' | undefined): boolean | undefined =>
  v === undefined ? undefined : v === 'true';

/** A page of a list: its rows, and where the next page begins (null: this is the last). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z
      .string()
      .nullable()
      .describe('Opaque cursor for the following page (pass as `cursor`); null on the last page'),
  });

export const issue = z.object({ path: z.string(), message: z.string() });

/** Any refusal: a stable English `error` code, the words, and whatever the refusal adds. */
export const errorAnswer = z
  .looseObject({ error: z.string(), message: z.string().optional() })
  .describe('A refusal: a stable `error` code and a message');

export const invalidRequest = z
  .looseObject({ error: z.string(), message: z.string().optional(), issues: z.array(issue).optional() })
  .describe('The request does not match its schema: what is wrong, and where');

export const unauthorized = z
  .object({ error: z.literal('unauthorized'), message: z.string() })
  .describe('Credentials are missing or refused: an API key, an access token, or INDSATSFLOW_ADMIN_TOKEN');

export const forbidden = z
  .object({ error: z.string(), message: z.string() })
  .describe("The caller's roles do not give this, or the municipality is not the caller's");

export const internalError = z
  .object({ error: z.literal('internal'), message: z.string(), correlationId: z.string() })
  .describe('Something failed on our side; the detail is in the log under correlationId');

/** The answers every route may give besides its own. */
export const tooManyRequests = z
  .looseObject({ error: z.string(), message: z.string() })
  .describe('Too many requests from this key or person: wait and try again (Retry-After)');

/** The answers every route may give besides its own. */
export const commonAnswers = {
  400: invalidRequest,
  401: unauthorized,
  403: forbidden,
  429: tooManyRequests,
  500: internalError,
} as const;

/** Where a rule comes from, as stored with every deadline and timer. */
export const ruleSource = z
  .object({
    kind: z.enum(['seed', 'statute', 'policy-setting']),
    document: z.string().optional(),
    lines: z.string().optional(),
    quote: z.string().optional(),
    paragraph: z.string().optional(),
    note: z.string().optional(),
  })
  .describe('A seed document and lines (with a verbatim quote), a statute paragraph, or a policy setting');

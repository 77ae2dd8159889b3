// The HTTP interface: the case-system contract (shared/docs/event-contract.md) and the read side,
// with an OpenAPI document generated from the same zod schemas that validate requests.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { PolicySource } from '../policies/source';
import type { PolicyStore } from '../policies/store';
import { registerPolicyRoutes } from './policies';
import type { PayloadCodec } from '@temporalio/common';
import { catalogueView } from './catalogue';
import { registerAdminAuth } from './admin-auth';
import { registerCodecServer } from './codec-server';
import { eventBodySchema } from './event-schemas';
import { EventIntake } from './events';
import { getMeasure, listEscalations, listMeasures } from './queries';
import { health } from '../stack/health';

export interface ApiDeps {
  pool: Pool;
  temporal: Client;
  policies: PolicySource;
  /** Versioned policies: the administrators' /v1/policies routes. */
  policyStore?: PolicyStore;
  logger?: boolean;
  /** Required for policy edits and the codec endpoint when set; default INDSATSFLOW_ADMIN_TOKEN. */
  adminToken?: string;
  /** The payload codec, served to the Temporal UI at /codec. */
  codec?: PayloadCodec;
  uiOrigins?: string[];
}

const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];

/** A body that could not be parsed still reaches the handler, so that it can be stored. */
interface Unparsed {
  __unparsed: string;
  error: string;
}
const isUnparsed = (b: unknown): b is Unparsed => typeof b === 'object' && b !== null && '__unparsed' in b;

const page = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
};

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: 5 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(null, { __unparsed: text, error: (err as Error).message } satisfies Unparsed);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.status(400).send({
        error: 'invalid-request',
        issues: err.validation.map((v) => ({ path: `${err.validationContext ?? ''}${v.instancePath.replace(/\//g, '.')}`, message: v.message })),
      });
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply.status(status).send({ error: status >= 500 ? 'internal' : 'bad-request', message: (err as Error).message });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Indsatsflow', version: '1', description: 'Deadlines and escalations for child-and-family support measures. Contract: shared/docs/event-contract.md' },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  registerAdminAuth(app, deps.adminToken ?? process.env.INDSATSFLOW_ADMIN_TOKEN);
  if (deps.codec) registerCodecServer(app, deps.codec, deps.uiOrigins ?? []);

  const intake = new EventIntake(deps);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/events', {
    schema: {
      description: 'Receive one CloudEvent or a batch. Every event is stored with its answer before the answer is sent.',
      body: eventBodySchema,
    },
    // The intake validates itself: a rejected event must still be stored, with its answer.
    validatorCompiler: () => (data) => ({ value: data }),
    handler: async (req, reply) => {
      const body = req.body as unknown;
      const answer = isUnparsed(body) ? await intake.receive(undefined, body.__unparsed, body.error) : await intake.receive(body, undefined);
      return reply.status(answer.status).send(answer.body);
    },
  });

  r.get('/v1/measures/:measureId', {
    schema: { params: z.object({ measureId: z.string().min(1) }) },
    handler: async (req, reply) => {
      const m = await getMeasure(deps.pool, req.params.measureId);
      if (!m) return reply.status(404).send({ error: 'unknown-measure', message: `no measure ${req.params.measureId}` });
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
    },
    handler: async (req) => {
      const { overdue, ...rest } = req.query;
      return listMeasures(deps.pool, { ...rest, overdue: overdue === undefined ? undefined : overdue === 'true' });
    },
  });

  r.get('/v1/escalations', {
    schema: {
      querystring: z.object({
        municipality: z.string().optional(),
        measureId: z.string().optional(),
        level: z.coerce.number().int().min(1).optional(),
        ...page,
      }),
    },
    handler: async (req) => listEscalations(deps.pool, req.query),
  });

  r.get('/v1/catalogue', {
    schema: { description: 'The municipalities with a service level, and their measure-type slugs.' },
    handler: async () =>
      (await deps.policies.municipalities()).map((m) => ({ municipality: m.municipality, name: m.name, version: m.version, measureTypes: m.measureTypes.map((t) => t.slug) })),
  });

  r.get('/v1/catalogue/:municipality', {
    schema: { params: z.object({ municipality: z.string() }) },
    handler: async (req, reply) => {
      const m = await deps.policies.municipality(req.params.municipality);
      if (!m) return reply.status(404).send({ error: 'unknown-municipality', message: `no service level for ${req.params.municipality}` });
      return catalogueView(m);
    },
  });

  r.get('/health', {
    // Bounded: answers within a second, naming what is down (stack/health.ts).
    handler: async (_req, reply) => {
      const h = await health({ pool: deps.pool, temporal: deps.temporal });
      return reply.status(h.status === 'ok' ? 200 : 503).send(h);
    },
  });

  if (deps.policyStore) registerPolicyRoutes(r, { pool: deps.pool, temporal: deps.temporal, store: deps.policyStore });

  return app;
}

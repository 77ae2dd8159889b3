// The HTTP interface: the case-system contract (docs/event-contract.md), the read side and
// the administrators' policy routes, each family a plugin under api/routes/, with an OpenAPI
// document generated from the same zod schemas that validate requests and describe answers.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ping } from '../db/ping';
import { createRepositories } from '../db/repositories';
import type { PolicySource } from '../policies/source';
import type { PolicyStore } from '../policies/store';
import { errorHandler } from './error-handler';
import { EventIntake } from './events';
import { PolicyAdmin } from './policies';
import { catalogueRoutes } from './routes/catalogue';
import { codecRoutes } from './routes/codec';
import { escalationRoutes } from './routes/escalations';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { measureRoutes } from './routes/measures';
import { policyRoutes } from './routes/policies';
import { complianceRoutes } from './routes/compliance';
import { overviewRoutes } from './routes/overview';
import { healthProbeRoutes } from './routes/health-probes';
import { metricsRoutes, type MetricsRouteOptions } from './routes/metrics';
import { nameServerSpan } from '../observability/http-span';
import { createMetrics, type ServiceMetrics } from '../observability/metrics';

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
  /** The Temporal UI the overview links measures to; default TEMPORAL_UI_URL or the dev server's. */
  temporalUiUrl?: string;
  /** The settling window new measures get (an ISO duration); none: escalations at once. */
  settle?: string;
  /** Prometheus metrics at /metrics; one set per process. */
  metrics?: ServiceMetrics;
  onRejectedEvent?: MetricsRouteOptions['onRejected'];
  /** The intake's waits: for a workflow's answer, for a grant in flight (api/events.ts). */
  intake?: { updateTimeoutMs?: number; grantWaitMs?: number };
}

const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: 5 * 1024 * 1024,
    // The correlation id of a 5xx answer: unique across restarts, so that it finds its log line.
    genReqId: () => randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // A body that is not JSON reaches the route, whose schema then names the problem as a 400. (The
  // event intake reads its bodies itself, as bytes: api/routes/events.ts.)
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(null, { __unparsed: text, error: (err as Error).message });
    }
  });

  app.setErrorHandler(errorHandler);
  app.addHook('onRequest', nameServerSpan);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Indsatsflow',
        version: '1',
        description:
          'Deadlines and escalations for child-and-family support measures. Contract: docs/event-contract.md',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const adminToken = deps.adminToken ?? process.env.INDSATSFLOW_ADMIN_TOKEN;
  const repos = createRepositories(deps.pool);
  const intake = new EventIntake({
    inbox: repos.inbox,
    measures: repos.measures,
    temporal: deps.temporal,
    policies: deps.policies,
    settle: deps.settle,
    log: app.log,
    ...deps.intake,
  });

  await app.register(metricsRoutes, {
    metrics: deps.metrics ?? createMetrics({ pool: deps.pool }),
    onRejected: deps.onRejectedEvent,
  });
  await app.register(eventRoutes, { intake });
  await app.register(measureRoutes, { measures: repos.measures });
  await app.register(escalationRoutes, { escalations: repos.escalations });
  await app.register(catalogueRoutes, { policies: deps.policies });
  await app.register(healthRoutes, {
    checks: {
      database: () => ping(deps.pool),
      temporal: (signal) =>
        deps.temporal.connection.withAbortSignal(signal, () => deps.temporal.workflowService.getSystemInfo({})),
    },
  });
  await app.register(healthProbeRoutes, { pool: deps.pool, temporal: deps.temporal });
  if (deps.policyStore) {
    const admin = new PolicyAdmin({ pool: deps.pool, temporal: deps.temporal, store: deps.policyStore, log: app.log });
    await app.register(policyRoutes, { store: deps.policyStore, admin, adminToken });
  }
  if (deps.codec)
    await app.register(codecRoutes, { codec: deps.codec, allowedOrigins: deps.uiOrigins ?? [], adminToken });
  await app.register(complianceRoutes, deps);
  await app.register(overviewRoutes, deps);

  return app;
}

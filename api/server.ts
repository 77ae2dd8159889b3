// The HTTP interface: the case-system contract (docs/event-contract.md), the read side and
// the administrators' policy routes, each family a plugin under api/routes/, with an OpenAPI
// document generated from the same zod schemas that validate requests and describe answers.
import rateLimit from '@fastify/rate-limit';
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
import { MunicipalCodec } from '../codec/municipal-codec';
import { Authenticator } from './access/authenticate';
import { installGuard } from './access/guard';
import { OidcVerifier, oidcConfigFromEnv, type OidcConfig } from './access/oidc';
import { errorHandler } from './error-handler';
import { EventIntake } from './events';
import { PolicyAdmin } from './policies';
import { auditRoutes } from './routes/audit';
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
  /** A platform-admin bearer token (the `policy` command line's); default INDSATSFLOW_ADMIN_TOKEN.
   *  With access control off, policy edits, rollouts, the codec and the audit log need it when set. */
  adminToken?: string;
  /** Access control: required (INDSATSFLOW_AUTH=required), or off (the loopback default). */
  authRequired?: boolean;
  /** People's access tokens; default from INDSATSFLOW_OIDC_*. */
  oidc?: OidcConfig;
  /** Requests per minute per API key or person; default INDSATSFLOW_RATE_LIMIT or 600. */
  rateLimitPerMinute?: number;
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

/** The largest request body accepted (413 above it): a batch of a few thousand events. */
export const BODY_LIMIT = 5 * 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: BODY_LIMIT,
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

  const adminToken = deps.adminToken ?? (process.env.INDSATSFLOW_ADMIN_TOKEN || undefined);
  const repos = createRepositories(deps.pool);
  const oidc = deps.oidc ?? oidcConfigFromEnv();
  const authenticator = new Authenticator({
    apiKeys: repos.apiKeys,
    oidc: oidc ? new OidcVerifier(oidc) : undefined,
    adminToken,
    required: deps.authRequired ?? process.env.INDSATSFLOW_AUTH === 'required',
  });
  // Before any route: every route is judged by its own declaration (api/access/guard.ts).
  installGuard(app, { authenticator, audit: repos.audit });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler', // after the guard has said who is calling
    max: deps.rateLimitPerMinute ?? Number(process.env.INDSATSFLOW_RATE_LIMIT ?? 600),
    timeWindow: 60_000,
    keyGenerator: (req) => req.caller?.id ?? req.ip,
    // Per key and person; with access control off there is nobody to tell apart.
    allowList: (req) => req.caller === undefined || req.caller.kind === 'local',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'too-many-requests',
      message: `more than ${ctx.max} requests a minute from this key or person; try again in ${ctx.after}`,
    }),
  });

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
  // The contract is public: the documentation routes are declared so.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), access: { public: true } };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/docs' });
  });

  const codec = deps.codec;
  const intake = new EventIntake({
    inbox: repos.inbox,
    measures: repos.measures,
    temporal: deps.temporal,
    policies: deps.policies,
    settle: deps.settle,
    log: app.log,
    seal: codec instanceof MunicipalCodec ? (m, value) => sealed(codec, m, value) : undefined,
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
    await app.register(policyRoutes, { store: deps.policyStore, admin });
  }
  await app.register(auditRoutes, { audit: repos.audit });
  if (deps.codec) await app.register(codecRoutes, { codec: deps.codec, allowedOrigins: deps.uiOrigins ?? [] });
  await app.register(complianceRoutes, deps);
  await app.register(overviewRoutes, deps);

  return app;
}

/** A value encrypted as a Temporal payload with the municipality's key: readable through the
 *  codec endpoint by its operators, and gone when the key is retired. */
function sealed(codec: MunicipalCodec, municipality: string, value: Record<string, unknown>) {
  const [p] = codec.encodeFor(municipality, [
    { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: Buffer.from(JSON.stringify(value)) },
  ]);
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
    ),
    data: Buffer.from(p.data!).toString('base64'),
  };
}

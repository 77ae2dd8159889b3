// Deny by default. Every route declares what it needs in its own options (`config.access`): public,
// or a permission, optionally in the municipality its path names, and whether it is an
// administrative action that the audit log records. A route that declares nothing is refused.
//
// The hooks run on the route the router matched, with the decoded path parameters: however the
// URL is spelled (`/v1/%70olicies`, `/codec/%64ecode`), the declaration of the route it reaches
// is the one applied.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, inScope, type Caller, type Permission } from '../../access/roles';
import type { AuditRepository } from '../../db/repositories/audit';
import type { Authenticator } from './authenticate';

export interface AccessRule {
  /** Anyone may call: the health check and the OpenAPI document. */
  public?: true;
  /** What the caller must be allowed; 'signed-in': any caller who proved who it is (the service
   *  levels are public documents, but which municipalities use the service is not). */
  permission?: Permission | 'signed-in';
  /** Where the request names the municipality it acts in: the path's `:municipality`, or the
   *  query's optional `municipality` (a page or figures narrowed to one municipality). */
  municipality?: 'param' | 'query';
  /** An administrative action: every call is written to the audit log under this name. */
  audit?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    caller?: Caller;
    auditId?: number;
  }
}

/** Route options' `config` for a route anyone may call. */
export const publicRoute = { access: { public: true } } as const satisfies { access: AccessRule };

/** Route options' `config` for a route that needs `permission`. */
export function needs(permission: Permission | 'signed-in', more: Omit<AccessRule, 'permission' | 'public'> = {}) {
  return { access: { permission, ...more } satisfies AccessRule };
}

/** The caller of a request that passed the guard. */
export function callerOfRequest(req: FastifyRequest): Caller {
  if (!req.caller) throw new Error(`no caller on ${req.method} ${req.routeOptions.url}: the route is not guarded`);
  return req.caller;
}

/** Loopback names: with access control off, the API answers only requests addressed to these,
 *  so that a web page cannot reach it through a DNS name rebound to 127.0.0.1. */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

const refuse = (reply: FastifyReply, status: number, error: string, message: string) =>
  reply.status(status).send({ error, message });

const municipalityParam = (req: FastifyRequest): string | undefined => {
  const p = req.params as Record<string, unknown> | undefined;
  return typeof p?.municipality === 'string' ? p.municipality : undefined;
};

/** The municipalities a request names where its rule says to look (a repeated query key names
 *  several; each must be the caller's). */
const namedMunicipalities = (req: FastifyRequest, rule: AccessRule): string[] => {
  if (rule.municipality === 'param') {
    const m = municipalityParam(req);
    return m === undefined ? [] : [m];
  }
  if (rule.municipality === 'query') {
    const q = (req.query as Record<string, unknown> | undefined)?.municipality;
    return (Array.isArray(q) ? q : [q]).filter((x): x is string => typeof x === 'string' && x !== '');
  }
  return [];
};

export interface GuardOptions {
  authenticator: Authenticator;
  audit: AuditRepository;
}

/** Installs the guard on the root instance, before any route plugin is registered. */
export function installGuard(app: FastifyInstance, { authenticator, audit }: GuardOptions): void {
  const auditEntry = (req: FastifyRequest, rule: AccessRule, status?: number) => ({
    actorKind: req.caller?.kind ?? 'anonymous',
    actor: req.caller?.id ?? 'anonymous',
    actorName: req.caller?.name,
    action: rule.audit!,
    municipality: rule.municipality === 'param' ? (municipalityParam(req) ?? null) : null,
    target: Object.values((req.params as Record<string, string>) ?? {}).join('/') || null,
    method: req.method,
    path: req.routeOptions.url,
    remoteAddr: req.ip,
    userAgent: req.headers['user-agent'],
    requestId: req.id,
    status,
    detail: detailOf(req.body),
  });
  const denied = async (
    req: FastifyRequest,
    reply: FastifyReply,
    rule: AccessRule,
    status: number,
    error: string,
    message: string,
  ) => {
    // Refusals of callers who proved who they are; anonymous noise is not written down.
    if (rule.audit && req.caller && req.caller.kind !== 'local')
      await audit
        .record(auditEntry(req, rule, status))
        .catch((err: unknown) => req.log.error({ err }, 'audit write failed'));
    return refuse(reply, status, error, message);
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!authenticator.required && !LOOPBACK_HOST.test(req.headers.host ?? ''))
      return refuse(
        reply,
        403,
        'forbidden-host',
        'access control is off, so only requests addressed to 127.0.0.1 or localhost are answered',
      );
    if (req.is404) return; // no route: the 404 answer says nothing either way
    const rule = req.routeOptions.config.access;
    if (!rule) {
      req.log.error({ url: req.routeOptions.url }, 'route declares no access rule: refused');
      return refuse(reply, 403, 'forbidden', 'this route declares no access rule, so nobody may call it');
    }
    if (rule.public) return;
    // CORS preflights carry no credentials; the route answers them and nothing else.
    if (req.method === 'OPTIONS') return;
    const who = await authenticator.identify(req.headers.authorization);
    if (!who)
      return denied(
        req,
        reply,
        rule,
        401,
        'unauthorized',
        'credentials are required: Authorization: Bearer <API key or access token>',
      );
    if ('refused' in who) return denied(req, reply, rule, 401, 'unauthorized', who.refused);
    req.caller = who.caller;
    const permitted =
      rule.permission === 'signed-in' || (rule.permission !== undefined && can(who.caller, rule.permission));
    if (!permitted && who.caller.kind === 'local')
      return refuse(reply, 401, 'unauthorized', 'this operation needs Authorization: Bearer <INDSATSFLOW_ADMIN_TOKEN>');
    if (!permitted)
      return denied(
        req,
        reply,
        rule,
        403,
        'forbidden',
        `this needs the permission ${rule.permission ?? '(none declared)'}, which your roles do not give`,
      );
    const m = namedMunicipalities(req, rule).find((x) => !inScope(who.caller, x));
    if (m !== undefined)
      return denied(req, reply, rule, 403, 'forbidden-municipality', `you may not act for municipality ${m}`);
  });

  // An administrative action is written down before it runs: no audit row, no action.
  app.addHook('preHandler', async (req) => {
    const rule = req.routeOptions.config?.access;
    if (!rule?.audit || req.method === 'OPTIONS' || req.method === 'GET') return;
    req.auditId = await audit.record(auditEntry(req, rule));
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.auditId !== undefined)
      await audit
        .answered(req.auditId, reply.statusCode)
        .catch((err: unknown) => req.log.error({ err }, 'audit write failed'));
  });
}

/** What the audit log keeps of a request body: its shape, not its content (a whole policy
 *  document, payloads to decode). */
function detailOf(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const keep: Record<string, unknown> = {};
  for (const k of [
    'measureType',
    'timer',
    'duration',
    'effectiveFrom',
    'reason',
    'dryRun',
    'rollbackTo',
    'baseVersion',
  ])
    if (b[k] !== undefined) keep[k] = b[k];
  if (Array.isArray(b.payloads)) keep.payloads = b.payloads.length;
  if (b.document !== undefined) keep.document = 'a whole policy document';
  return Object.keys(keep).length ? keep : undefined;
}

// Who may change policies and read decrypted payloads. With INDSATSFLOW_ADMIN_TOKEN set, policy
// edits and rollouts and the codec endpoint need `Authorization: Bearer <token>`; reading stays
// open to whoever reaches the API. Without it (the embedded default, listening on 127.0.0.1 only)
// nothing is asked: a deployment sets the token, or puts its SSO in front.
//
// The check is an onRequest hook that a route plugin adds to its own encapsulated scope, so it
// runs for the routes the router matched there, however the URL was spelled (`/v1/%70olicies`
// reaches the policy routes as surely as `/v1/policies` does).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';

function matches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The hook: 401 without the token. CORS preflights (OPTIONS) carry no credentials and pass. */
export function adminOnly(token: string | undefined): onRequestAsyncHookHandler {
  return async (req, reply) => {
    if (!token || req.method === 'OPTIONS') return;
    if (!matches(req.headers.authorization, token))
      return reply.status(401).send({
        error: 'unauthorized',
        message: 'this operation needs Authorization: Bearer <INDSATSFLOW_ADMIN_TOKEN>',
      });
  };
}

/** Guards every route registered in `scope` (an encapsulated plugin context) from here on. */
export function requireAdmin(scope: FastifyInstance, token: string | undefined): void {
  if (token) scope.addHook('onRequest', adminOnly(token));
}

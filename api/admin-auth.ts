// Who may change policies and read decrypted payloads. With INDSATSFLOW_ADMIN_TOKEN set, policy
// edits and rollouts (anything but GET under /v1/policies) and the codec endpoint need
// `Authorization: Bearer <token>`; reading stays open to whoever reaches the API. Without it (the
// embedded default, listening on 127.0.0.1 only) nothing is asked: a deployment sets the token, or
// puts its SSO in front.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function guarded(req: FastifyRequest): boolean {
  if (req.method === 'OPTIONS') return false;
  if (req.url.startsWith('/codec/')) return true;
  return req.url.startsWith('/v1/policies') && req.method !== 'GET' && req.method !== 'HEAD';
}

function matches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function registerAdminAuth(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    if (guarded(req) && !matches(req.headers.authorization, token))
      return reply.status(401).send({ error: 'unauthorized', message: 'this operation needs Authorization: Bearer <INDSATSFLOW_ADMIN_TOKEN>' });
  });
}

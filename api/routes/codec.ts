// The codec endpoint the Temporal UI calls to show decrypted payloads to an operator
// (POST {endpoint}/decode and /encode with { payloads: [{ metadata, data }] }, base64 fields).
// Only reachable on this machine in the embedded setup; a deployment puts it behind its SSO.
// Its CORS and admin-token hooks belong to this plugin's scope, so they guard these routes only,
// however their URL is spelled.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { requireAdmin } from '../admin-auth';
import { errorAnswer, internalError, unauthorized, type App } from '../schemas';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

const payloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** The Temporal UI's origins, allowed to call from the browser. */
  allowedOrigins: string[];
  adminToken?: string;
}

export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (
  app,
  { codec, allowedOrigins, adminToken },
) => {
  const r = app as App;
  r.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && allowedOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
      reply.header('access-control-allow-credentials', 'true');
    }
    if (req.method === 'OPTIONS') return reply.status(204).send();
  });
  requireAdmin(r, adminToken);

  r.options('/codec/*', { schema: { hide: true } }, async (_req, reply) => reply.status(204).send());
  for (const op of ['decode', 'encode'] as const) {
    r.post(`/codec/${op}`, {
      schema: { hide: true, response: { 200: payloads, 400: errorAnswer, 401: unauthorized, 500: internalError } },
      handler: async (req, reply) => {
        const body = req.body as { payloads?: JsonPayload[] } | undefined;
        if (!body || !Array.isArray(body.payloads))
          return reply.status(400).send({ error: 'invalid-request', message: 'expected { payloads: [...] }' });
        const out = await codec[op](body.payloads.map(fromJson));
        return { payloads: out.map(toJson) };
      },
    });
  }
};

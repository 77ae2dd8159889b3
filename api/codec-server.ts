// The codec endpoint the Temporal UI calls to show decrypted payloads to an operator
// (POST {endpoint}/decode and /encode with { payloads: [{ metadata, data }] }, base64 fields).
// Only reachable on this machine in the embedded setup; a deployment puts it behind its SSO.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

export function registerCodecServer(app: FastifyInstance, codec: PayloadCodec, allowedOrigins: string[]): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/codec/')) return;
    const origin = req.headers.origin;
    if (origin && allowedOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
      reply.header('access-control-allow-credentials', 'true');
    }
    if (req.method === 'OPTIONS') return reply.status(204).send();
  });
  app.options('/codec/*', async (_req, reply) => reply.status(204).send());
  for (const op of ['decode', 'encode'] as const) {
    app.post(`/codec/${op}`, { schema: { hide: true } }, async (req, reply) => {
      const body = req.body as { payloads?: JsonPayload[] } | undefined;
      if (!body || !Array.isArray(body.payloads)) return reply.status(400).send({ error: 'invalid-request', message: 'expected { payloads: [...] }' });
      const out = await codec[op](body.payloads.map(fromJson));
      return { payloads: out.map(toJson) };
    });
  }
}

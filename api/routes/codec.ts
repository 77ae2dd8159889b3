// The codec endpoint the Temporal UI calls to show decrypted payloads to an operator
// (POST {endpoint}/decode and /encode with { payloads: [{ metadata, data }] }, base64 fields).
// A payload is decrypted only for an operator of the municipality its key belongs to (the key id
// names it); others' payloads, and the platform's, are returned as they came, still encrypted.
// Every call is in the audit log. Its CORS hook belongs to this plugin's scope.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { can, type Caller } from '../../access/roles';
import { KeyRetired, MunicipalCodec, ownerOf } from '../../codec/municipal-codec';
import { callerOfRequest, needs, publicRoute } from '../access/guard';
import { commonAnswers, errorAnswer, type App } from '../schemas';

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
}

/** May this caller see this payload in clear? Legacy and platform payloads: the platform role only. */
function mayDecode(c: Caller, p: Payload): boolean {
  const owner = ownerOf(p);
  if (owner === undefined || owner.startsWith('_')) return c.municipalities === '*' && can(c, 'codec:use');
  return can(c, 'codec:use', owner);
}

/** Each payload the caller may see, decrypted; the rest (and those whose key is retired) as they came. */
async function decodeFor(codec: PayloadCodec, c: Caller, ps: Payload[]): Promise<Payload[]> {
  return Promise.all(
    ps.map(async (p) => {
      if (!mayDecode(c, p)) return p;
      try {
        return (await codec.decode([p]))[0];
      } catch (err) {
        if (err instanceof KeyRetired) return p;
        throw err;
      }
    }),
  );
}

async function encodeFor(codec: PayloadCodec, c: Caller, ps: Payload[]): Promise<Payload[]> {
  // The UI encodes what an operator types (a signal's input): for their municipality.
  if (codec instanceof MunicipalCodec && c.municipalities !== '*' && c.municipalities.length === 1)
    return codec.encodeFor(c.municipalities[0], ps);
  return codec.encode(ps);
}

export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, { codec, allowedOrigins }) => {
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

  r.options('/codec/*', { config: publicRoute, schema: { hide: true } }, async (_req, reply) =>
    reply.status(204).send(),
  );
  for (const op of ['decode', 'encode'] as const) {
    r.post(`/codec/${op}`, {
      config: needs('codec:use', { audit: `codec.${op}` }),
      schema: { hide: true, response: { 200: payloads, ...commonAnswers, 400: errorAnswer } },
      handler: async (req, reply) => {
        const body = req.body as { payloads?: JsonPayload[] } | undefined;
        if (!body || !Array.isArray(body.payloads))
          return reply.status(400).send({ error: 'invalid-request', message: 'expected { payloads: [...] }' });
        const caller = callerOfRequest(req);
        const ps = body.payloads.map(fromJson);
        const out = op === 'decode' ? await decodeFor(codec, caller, ps) : await encodeFor(codec, caller, ps);
        return { payloads: out.map(toJson) };
      },
    });
  }
};

// The CloudEvents HTTP protocol binding (v1.0.2), all three content modes, at POST /v1/events:
//  - structured: `application/cloudevents+json`, the whole event as the body (the intake's form);
//  - batched: `application/cloudevents-batch+json`, a JSON array of structured events;
//  - binary: the attributes as `ce-*` headers, the data alone as the body, its media type as
//    Content-Type (the `cloudevents` SDK's default emitter sends this).
// A binary-mode request is turned into the structured envelope before the intake sees it, so the
// intake, the inbox and the answers are the same whichever mode a case system uses.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';

const EVENTS = '/v1/events';
const STRUCTURED = /^application\/cloudevents(-batch)?\+json\b/i;

/** Header values are percent-encoded where they are not printable ASCII (binding §3.1.3.2). */
function decodeHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not valid percent-encoding: take it as it came, the intake judges it
  }
}

/** The event a binary-mode request carries, or undefined when the request is not binary mode. */
export function fromBinaryMode(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> | undefined {
  const contentType = headers['content-type'] ?? '';
  if (!headers['ce-specversion'] || STRUCTURED.test(contentType)) return undefined;
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    event[name.slice(3)] = decodeHeader(Array.isArray(value) ? value.join(',') : value);
  }
  if (contentType) event.datacontenttype = contentType.split(';')[0]!.trim();
  // A body that was not JSON stays as its text: the intake then says where the data is wrong.
  const unparsed = typeof body === 'object' && body !== null && '__unparsed' in body;
  const data = unparsed ? (body as { __unparsed: string }).__unparsed : body;
  if (data !== undefined && data !== '') event.data = data;
  return event;
}

const plugin: FastifyPluginAsync = async (app) => {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    if (req.method !== 'POST' || req.routeOptions.url !== EVENTS) return;
    const event = fromBinaryMode(req.headers, req.body);
    if (event) req.body = event;
  });
};
// Not encapsulated (as fastify-plugin does it): the hook must reach the event routes' scope.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const cloudEventsBinding = plugin;

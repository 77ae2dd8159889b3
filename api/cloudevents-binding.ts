// The CloudEvents HTTP protocol binding (v1.0.2), all three content modes, at POST /v1/events:
//  - structured: `application/cloudevents+json`, the whole event as the body (the intake's form);
//  - batched: `application/cloudevents-batch+json`, a JSON array of structured events;
//  - binary: the attributes as `ce-*` headers, the data alone as the body, its media type as
//    Content-Type (the `cloudevents` SDK's default emitter sends this).
// The intake (api/events.ts) reads every body as bytes and stores it before judging it; for a
// binary-mode request it asks this module for the envelope the headers carry, so that the inbox
// and the answers are the same whichever mode a case system uses, and a binary-mode body the
// contract cannot take (not JSON) is stored with its envelope before it is refused.
import type { IncomingHttpHeaders } from 'node:http';

const STRUCTURED = /^application\/cloudevents(-batch)?\+json\b/i;

/** Header values are percent-encoded where they are not printable ASCII (binding §3.1.3.2). */
function decodeHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not valid percent-encoding: take it as it came, the intake judges it
  }
}

/** The envelope a binary-mode request's headers carry, without its data; undefined when the
 *  request is not binary mode. */
export function binaryModeEnvelope(headers: IncomingHttpHeaders): Record<string, unknown> | undefined {
  const contentType = headers['content-type'] ?? '';
  if (!headers['ce-specversion'] || STRUCTURED.test(contentType)) return undefined;
  const event: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    event[name.slice(3)] = decodeHeader(Array.isArray(value) ? value.join(',') : value);
  }
  if (contentType) event.datacontenttype = contentType.split(';')[0]!.trim();
  return event;
}

/** Whether binary-mode data of this media type is JSON, which the contract's `data` must be:
 *  `application/json` or any `+json` type. */
export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/([a-z0-9.!#$&^_-]+\+)?json$/i.test(mediaType);
}

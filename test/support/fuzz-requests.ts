// Generated requests for the access fuzz (test/access.test.ts): methods, paths and their
// spellings, headers, and bodies from valid CloudEvents to garbage, mostly deliveries to the intake.
import fc from 'fast-check';
import { OTHER, OWN } from './access';
import { SHAPED, cprShaped } from './cpr-shaped';

const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Copenhagen' });

const EVENT_TYPES = [
  'measure.granted',
  'measure.follow-up-held',
  'measure.session-held',
  'measure.closed',
  'measure.extended',
  'measure.package-changed',
  'child.placed',
  'no.such-type',
];

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', 'SHARED-1', 'ONLY-OTHER-1', SHAPED, cprShaped('010105', ''), '../x', '%00', 'æøå', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
const date = fc.oneof(
  fc.constant(today),
  fc.constantFrom('2026-02-30', '2026-13-01', 'tomorrow', '', '2027-01-01'),
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
);
const data = fc.record(
  {
    municipality: fc.constantFrom(OWN, OTHER, 'atlantis', '', 'NORDBY'),
    measureType: fc.constantFrom('hurtig-stoette', 'x'),
    package: fc.constantFrom('roed', 'groen', 'lilla'),
    caseId: text,
    caseworkerId: text,
    teamId: text,
    grantedOn: date,
    startOn: date,
    heldOn: date,
    childBirthDate: date,
    participants: fc.array(fc.constantFrom('executor', 'child', 'x'), { maxLength: 3 }),
    closedOn: date,
    reason: fc.constantFrom('goal-achieved', 'lack-of-motivation', 'x'),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const cloudEvent = fc.record(
  {
    specversion: fc.constantFrom('1.0', '0.3', 1),
    id: fc.oneof(fc.uuid(), text),
    source: fc.constantFrom('fuzz/cs', 'fuzz/other', ''),
    type: fc.constantFrom(...EVENT_TYPES),
    time: fc.constantFrom(new Date().toISOString(), 'yesterday', '2026-12-01T10:00:00+01:00'),
    subject: fc.oneof(fc.constantFrom('SHARED-1', 'ONLY-OTHER-1', 'FUZZ-1', 'FUZZ-2'), text),
    municipality: fc.constantFrom(OWN, OTHER, 'x y'),
    data: fc.oneof(data, anyJson),
  },
  { requiredKeys: ['specversion', 'id', 'type', 'subject'] },
);
const body = fc.oneof(
  { weight: 6, arbitrary: cloudEvent.map((e) => JSON.stringify(e)) },
  { weight: 2, arbitrary: fc.array(cloudEvent, { maxLength: 4 }).map((a) => JSON.stringify(a)) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);

const PATHS = [
  '/v1/events',
  '/v1/%65vents',
  '/v1/events/',
  '//v1/events',
  '/V1/events',
  `/v1/municipalities/${OWN}/measures/SHARED-1`,
  `/v1/municipalities/${OTHER}/measures/SHARED-1`,
  `/v1/municipalities/%73ydby/measures/SHARED-1`,
  `/v1/municipalities/${OWN}/../${OTHER}/measures/SHARED-1`,
  `/v1/municipalities/${OWN}%2F..%2F${OTHER}/measures`,
  '/v1/measures/ONLY-OTHER-1',
  '/v1/measures?municipality=sydby',
  '/v1/escalations?level=abc',
  `/v1/policies/${OTHER}/timers`,
  '/v1/%70olicies/sydby/timers',
  '/codec/decode',
  '/%63odec/decode',
  '/v1/audit',
  '/health',
  '/docs/json',
  '/v1/catalogue',
  '/nowhere',
];
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constant('/v1/events') },
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 1, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PATHS), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`) },
);
const CONTENT_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json; charset=utf-8',
];

const general = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
  url: path,
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  ),
  auth: fc.oneof(
    { weight: 12, arbitrary: fc.constant('own') },
    { weight: 1, arbitrary: fc.constant('none') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Bearer ifk_000000000000_xxx', 'Basic abc', 'Bearer a.b.c', 'Bearer '),
    },
  ),
  host: fc.constantFrom('127.0.0.1', 'localhost:3000', 'evil.example'),
  body,
});
// Most requests are deliveries: what a case system (or something pretending to be one) sends.
const delivery = fc.record({
  method: fc.constant('POST'),
  url: fc.constantFrom('/v1/events', '/v1/events', '/v1/%65vents', '/v1/events?x=1'),
  contentType: fc.constantFrom(...CONTENT_TYPES),
  auth: fc.constant('own'),
  host: fc.constantFrom('127.0.0.1', 'evil.example'),
  body,
});
export const fuzzRequest = fc.oneof({ weight: 7, arbitrary: delivery }, { weight: 3, arbitrary: general });

/** Does the router take this URL to POST /v1/events (it decodes the path; the query is not part of it)? */
export function toIntake(url: string): boolean {
  try {
    return decodeURIComponent(url.split('?')[0]) === '/v1/events';
  } catch {
    return false;
  }
}

/** How many inbox rows with the caller an answer of the intake stands for: one per event of a
 *  batch, else one; none for answers given before the caller is known or off the intake's path
 *  (the router's). */
export function intakeRows(status: number, text: string): number {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 0;
  }
  if (Array.isArray(body)) return body.every((x) => typeof x?.status === 'number') && body.length > 0 ? body.length : 0;
  if (!body || typeof body !== 'object') return 0;
  const o = body as Record<string, unknown>;
  if (status === 202 && 'duplicate' in o) return 1;
  const intakeErrors = [
    'invalid-event',
    'forbidden-municipality',
    'unknown-measure',
    'unknown-municipality',
    'unknown-measure-type',
    'unknown-package',
    'invalid-transition',
    'unavailable',
    // The intake stores these too (issue 11), and the refusals before it that know the caller.
    'not-yet-granted',
    'unprocessable',
    'unsupported-media-type',
    'too-large',
    'too-many-events',
    'bad-request',
    'forbidden',
    'too-many-requests',
  ];
  return typeof o.error === 'string' && intakeErrors.includes(o.error) ? 1 : 0;
}

// Access control on the real stack (Temporal, PostgreSQL, the worker, the API with
// INDSATSFLOW_AUTH=required): every route × role × own/other municipality, path tricks, people's
// tokens from a local OIDC issuer, revoked keys, tenancy of measure ids, CPR numbers, the birth
// date in the inbox, payload keys per municipality, the audit log, rate limits and the defaults;
// and a fuzz of 10,000 generated requests in process (Fastify's inject, the same stack): no 5xx,
// never the other municipality's data, and every delivery the intake answered stored in the inbox.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import type { Role } from '../access/roles';
import { buildApi, BODY_LIMIT } from '../api/server';
import { KeyRing } from '../codec/keyring';
import { keyIdOf } from '../codec/aes-gcm';
import { MunicipalCodec } from '../codec/municipal-codec';
import { startInboxRetention } from '../db/retention';
import { catalogueSource } from '../policies/source';
import { PolicyStore } from '../policies/store';
import { PolicyVersionRepository } from '../db/repositories/policy-versions';
import { startServices } from '../services';
import { measureWorkflowId } from '../workflows/ids';
import { createKey, municipality, OTHER, OWN, startIssuer, type LocalIssuer } from './support/access';
import { fuzzRequest, intakeRows, toIntake } from './support/fuzz-requests';
import { event, startTestStack, type TestStack } from './support/stack';
import { SHAPED, cprShaped } from './support/cpr-shaped';

const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Copenhagen' });
const grant = (m: string, subject: string, extra: Record<string, unknown> = {}) =>
  event('measure.granted', subject, {
    municipality: m,
    measureType: 'hurtig-stoette',
    package: 'roed',
    caseId: 'C-1',
    caseworkerId: 'cw-1',
    teamId: 'team-1',
    grantedOn: today(),
    startOn: today(),
    ...extra,
  });
/** A follow-up: accepted any number of times on a running measure. */
const startup = (subject: string, extra: Record<string, unknown> = {}) =>
  event('measure.follow-up-held', subject, { heldOn: today(), participants: ['executor'] }, extra);

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/** A list's rows: the paged lists answer `{ items, next }`, the others an array. */
const rowsOf = (body: unknown): unknown[] | undefined =>
  Array.isArray(body)
    ? body
    : Array.isArray((body as { items?: unknown })?.items)
      ? (body as { items: unknown[] }).items
      : undefined;

const ROLE_LIST: Role[] = ['case-system', 'reader', 'policy-admin', 'operator', 'platform-admin'];

describe('access control', { timeout: 900_000 }, () => {
  let s: TestStack;
  let issuer: LocalIssuer;
  let ring: KeyRing;
  const keys = {} as Record<Role, string>;
  let otherCaseSystem: string;
  let otherOperator: string;
  let uid = 0;
  const fresh = (p: string) => `${p}-${process.pid}-${++uid}`;

  const call = (method: string, url: string, authorization?: string, payload?: unknown, headers = {}) =>
    s.api.inject({
      method: method as 'GET',
      url,
      headers: { ...(authorization ? { authorization } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  before(async () => {
    issuer = await startIssuer();
    ring = new KeyRing(mkdtempSync(join(tmpdir(), 'indsatsflow-keys-')));
    s = await startTestStack({
      policies: catalogueSource([municipality(OWN), municipality(OTHER)]),
      authRequired: true,
      oidc: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl },
      codec: new MunicipalCodec(ring),
      rateLimitPerMinute: 1_000_000,
    });
    for (const r of ROLE_LIST)
      keys[r] = (await createKey(s.pool, r === 'platform-admin' ? [] : [OWN], [r])).authorization;
    otherCaseSystem = (await createKey(s.pool, [OTHER], ['case-system'])).authorization;
    otherOperator = (await createKey(s.pool, [OTHER], ['operator'])).authorization;
    // The same measureId in both municipalities, and one measure only the other has.
    for (const [m, auth] of [
      [OWN, keys['case-system']],
      [OTHER, otherCaseSystem],
    ] as const) {
      const r = await call('POST', '/v1/events', auth, grant(m, 'SHARED-1'));
      assert.equal(r.statusCode, 202, r.body);
    }
    assert.equal((await call('POST', '/v1/events', otherCaseSystem, grant(OTHER, 'ONLY-OTHER-1'))).statusCode, 202);
    assert.equal((await call('POST', '/v1/events', keys['case-system'], grant(OWN, 'ONLY-OWN-1'))).statusCode, 202);
  });
  after(async () => {
    await s?.stop();
    await issuer?.stop();
  });

  // ---- the matrix: every route × role × own/other municipality ----
  type Route = {
    method: string;
    path: (m: string) => string;
    body?: (m: string) => unknown;
    /** null: public; 'signed-in': any credentials */
    needs: Role[] | null | 'signed-in';
    /** What the other municipality's request gets from a caller allowed the route. */
    other: number | 'empty';
    own?: number;
  };
  const timer = (m: string) => ({
    measureType: 'hurtig-stoette',
    timer: 'first-follow-up',
    duration: 'P3W',
    effectiveFrom: '2031-01-01',
    reason: `matrix ${m}`,
    dryRun: true,
  });
  const routes: Route[] = [
    { method: 'GET', path: () => '/health', needs: null, other: 200 },
    { method: 'GET', path: () => '/docs/json', needs: null, other: 200 },
    { method: 'GET', path: () => '/v1/catalogue', needs: 'signed-in', other: 200 },
    { method: 'GET', path: (m) => `/v1/catalogue/${m}`, needs: 'signed-in', other: 200 },
    {
      method: 'POST',
      path: () => '/v1/events',
      body: (m) => grant(m, fresh('GRANT')),
      needs: ['case-system'],
      other: 403,
      own: 202,
    },
    {
      method: 'POST',
      path: () => '/v1/events',
      body: (m) => startup(m === OWN ? 'ONLY-OWN-1' : 'ONLY-OTHER-1'),
      needs: ['case-system'],
      other: 404,
      own: 202,
    },
    {
      method: 'GET',
      path: (m) => `/v1/municipalities/${m}/measures/SHARED-1`,
      needs: ['case-system', 'reader'],
      other: 403,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/municipalities/${m}/measures`,
      needs: ['case-system', 'reader'],
      other: 403,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/measures/${m === OWN ? 'ONLY-OWN-1' : 'ONLY-OTHER-1'}`,
      needs: ['case-system', 'reader'],
      other: 404,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/measures?municipality=${m}`,
      needs: ['case-system', 'reader'],
      other: 'empty',
      own: 200,
    },
    { method: 'GET', path: (m) => `/v1/escalations?municipality=${m}`, needs: ['reader'], other: 'empty', own: 200 },
    { method: 'GET', path: (m) => `/v1/municipalities/${m}/escalations`, needs: ['reader'], other: 403, own: 200 },
    { method: 'GET', path: () => '/v1/policies', needs: ['reader', 'policy-admin', 'operator'], other: 200, own: 200 },
    {
      method: 'GET',
      path: (m) => `/v1/policies/${m}`,
      needs: ['reader', 'policy-admin', 'operator'],
      other: 403,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/policies/${m}/versions`,
      needs: ['reader', 'policy-admin', 'operator'],
      other: 403,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/policies/${m}/versions/1`,
      needs: ['reader', 'policy-admin', 'operator'],
      other: 403,
      own: 200,
    },
    {
      method: 'PATCH',
      path: (m) => `/v1/policies/${m}/timers`,
      body: timer,
      needs: ['policy-admin'],
      other: 403,
      own: 200,
    },
    {
      method: 'POST',
      path: (m) => `/v1/policies/${m}/versions`,
      body: (m) => ({ rollbackTo: 1, effectiveFrom: '2031-01-01', reason: `matrix ${m}`, dryRun: true }),
      needs: ['policy-admin'],
      other: 403,
    },
    {
      method: 'GET',
      path: (m) => `/v1/policies/rollouts?municipality=${m}`,
      needs: ['policy-admin', 'operator'],
      other: 'empty',
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/v1/policies/rollouts/${m}-v99`,
      needs: ['policy-admin', 'operator'],
      other: 404,
      own: 404,
    },
    {
      method: 'POST',
      path: (m) => `/v1/policies/rollouts/${m}-v99/stop`,
      needs: ['policy-admin'],
      other: 404,
      own: 404,
    },
    {
      method: 'POST',
      path: (m) => `/v1/policies/rollouts/${m}-v99/start`,
      needs: ['policy-admin'],
      other: 404,
      own: 404,
    },
    {
      method: 'POST',
      path: () => '/codec/decode',
      body: () => ({ payloads: [] }),
      needs: ['operator'],
      other: 200,
      own: 200,
    },
    {
      method: 'POST',
      path: () => '/codec/encode',
      body: () => ({ payloads: [] }),
      needs: ['operator'],
      other: 200,
      own: 200,
    },
    { method: 'GET', path: () => '/v1/audit', needs: [], other: 200, own: 200 },
    // Main's routes since the access work: probes and metrics public, the figures and the overview
    // for readers of their own municipalities.
    { method: 'GET', path: () => '/health/live', needs: null, other: 200 },
    { method: 'GET', path: () => '/health/ready', needs: null, other: 200 },
    { method: 'GET', path: () => '/metrics', needs: null, other: 200 },
    { method: 'GET', path: () => '/v1/compliance', needs: ['reader'], other: 200, own: 200 },
    { method: 'GET', path: (m) => `/v1/compliance?municipality=${m}`, needs: ['reader'], other: 403, own: 200 },
    // A repeated municipality: each must be the caller's (403), then the schema refuses the array (400).
    {
      method: 'GET',
      path: (m) => `/v1/compliance?municipality=${m}&municipality=${OWN}`,
      needs: ['reader'],
      other: 403,
      own: 400,
    },
    { method: 'GET', path: () => '/overblik', needs: ['reader'], other: 200, own: 200 },
    { method: 'GET', path: (m) => `/overblik?municipality=${m}`, needs: ['reader'], other: 403, own: 200 },
    {
      method: 'GET',
      path: (m) => `/overblik/forfaldne.csv?municipality=${m}`,
      needs: ['reader'],
      other: 403,
      own: 200,
    },
    {
      method: 'GET',
      path: (m) => `/overblik/kommende.csv?municipality=${m}&teamId=team-1`,
      needs: ['reader'],
      other: 403,
      own: 200,
    },
  ];

  it('answers every route × role × own/other municipality as declared, on the decoded path', async () => {
    const failures: string[] = [];
    for (const route of routes)
      for (const role of [...ROLE_LIST, 'anonymous' as const])
        for (const m of [OWN, OTHER]) {
          const auth = role === 'anonymous' ? undefined : keys[role];
          const res = await call(route.method, route.path(m), auth, route.body?.(m));
          const allowed =
            route.needs === null ||
            (role !== 'anonymous' &&
              (route.needs === 'signed-in' || role === 'platform-admin' || route.needs.includes(role)));
          let want: number | 'ok' | 'empty';
          if (route.needs === null) want = 200;
          else if (role === 'anonymous') want = 401;
          else if (!allowed) want = 403;
          else if (m === OWN || role === 'platform-admin') want = route.own ?? 'ok';
          else want = route.other;
          const got = res.statusCode;
          const ok =
            want === 'ok'
              ? got < 400 || got === 422 // a refused edit is still an allowed call
              : want === 'empty'
                ? got === 200 &&
                  rowsOf(res.json()) !== undefined &&
                  (role === 'platform-admin' || rowsOf(res.json())!.length === 0)
                : got === want;
          if (!ok)
            failures.push(
              `${route.method} ${route.path(m)} as ${role}: ${got} (wanted ${want}) ${res.body.slice(0, 160)}`,
            );
        }
    assert.deepEqual(failures, []);
  });

  it('keeps a measureId apart per municipality: events, reads, lists, duplicates', async () => {
    const own = await call('GET', `/v1/municipalities/${OWN}/measures/SHARED-1`, keys.reader);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().municipality, OWN);
    // The old path works for a single municipality's key, and finds its own.
    const old = await call('GET', '/v1/measures/SHARED-1', keys.reader);
    assert.equal(old.json().municipality, OWN);
    // The same event id and source in the two municipalities: two events, neither a duplicate.
    const e = startup('SHARED-1');
    const a = await call('POST', '/v1/events', keys['case-system'], e);
    const b = await call('POST', '/v1/events', otherCaseSystem, e);
    assert.equal(a.statusCode, 202, a.body);
    assert.equal(b.statusCode, 202, b.body);
    assert.equal(a.json().duplicate, false);
    assert.equal(b.json().duplicate, false);
    assert.equal((await call('POST', '/v1/events', keys['case-system'], e)).json().duplicate, true);
    const rows = await s.pool.query(
      'SELECT municipality FROM inbox WHERE event_id = $1 AND status = 202 ORDER BY seq',
      [e.id],
    );
    assert.deepEqual(rows.rows.map((r) => r.municipality).sort(), [OTHER, OWN, OWN].sort());
    // Lists show only the caller's municipality.
    const list = (await call('GET', '/v1/measures', keys.reader)).json().items as { municipality: string }[];
    assert.ok(list.length >= 2);
    assert.ok(list.every((x) => x.municipality === OWN));
    const all = (await call('GET', '/v1/measures?limit=1000', keys['platform-admin'])).json().items as {
      municipality: string;
    }[];
    assert.ok(all.some((x) => x.municipality === OTHER));
    // The overview and the figures count and list only the caller's municipalities.
    const page = await call('GET', '/overblik', keys.reader);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`${OWN} Kommune`) && !page.body.includes(`${OTHER} Kommune`), 'only our municipality');
    const choice = await call('GET', '/overblik', keys['platform-admin']);
    assert.ok(choice.body.includes(`${OWN} Kommune`) && choice.body.includes(`${OTHER} Kommune`));
    const csv = await call('GET', '/overblik/kommende.csv', keys.reader);
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-disposition']), new RegExp(`kommende-${OWN}-`));
    const figures = async (auth: string, q = '') =>
      (await call('GET', `/v1/compliance?from=2000-01-01&to=2100-12-31${q}`, auth)).json().groups[0].deadlines;
    assert.deepEqual(await figures(keys.reader), await figures(keys.reader, `&municipality=${OWN}`));
    assert.deepEqual(
      await figures(keys['platform-admin'], `&municipality=${OWN}`),
      await figures(keys.reader, `&municipality=${OWN}`),
    );
    // The other municipality's measure is unknown to us, in the same words as one that does not exist.
    const hidden = await call('POST', '/v1/events', keys['case-system'], startup('ONLY-OTHER-1'));
    const none = await call('POST', '/v1/events', keys['case-system'], startup('NEVER-GRANTED'));
    assert.equal(hidden.statusCode, 404);
    assert.equal(hidden.json().error, none.json().error);
    assert.equal(hidden.json().message.replace('ONLY-OTHER-1', 'X'), none.json().message.replace('NEVER-GRANTED', 'X'));
    // A grant naming another municipality is 403, and stored with its answer.
    const g = grant(OTHER, fresh('STEAL'));
    const forbidden = await call('POST', '/v1/events', keys['case-system'], g);
    assert.equal(forbidden.statusCode, 403);
    const stored = await s.pool.query('SELECT status FROM inbox WHERE event_id = $1', [g.id]);
    assert.deepEqual(stored.rows, [{ status: 403 }]);
    // A multi-municipality key names the municipality of a follow-up when the id is in both.
    const both = (await createKey(s.pool, [OWN, OTHER], ['case-system'])).authorization;
    const ambiguous = await call('POST', '/v1/events', both, startup('SHARED-1'));
    assert.equal(ambiguous.statusCode, 400);
    assert.match(ambiguous.body, /municipality/);
    const named = await call('POST', '/v1/events', both, startup('SHARED-1', { municipality: OTHER }));
    assert.equal(named.statusCode, 202, named.body);
    // A batch (one update per measure): the same new measureId granted in both municipalities,
    // then a follow-up naming one of them; each run goes to its own municipality's workflow.
    const twin = fresh('TWIN');
    const batch = await call('POST', '/v1/events', both, [
      grant(OWN, twin),
      grant(OTHER, twin),
      startup(twin, { municipality: OTHER }),
      startup(twin),
    ]);
    assert.equal(batch.statusCode, 207, batch.body);
    assert.deepEqual(
      batch.json().map((a: { status: number }) => a.status),
      [202, 202, 202, 400],
    );
    for (const m of [OWN, OTHER]) {
      const got = await call('GET', `/v1/municipalities/${m}/measures/${twin}`, keys['platform-admin']);
      assert.equal(got.json().municipality, m);
    }
    // A case system's batch: a grant of another municipality is 403, its own grant and follow-up pass.
    const mine = fresh('MINE');
    const ownBatch = await call('POST', '/v1/events', keys['case-system'], [
      grant(OWN, mine),
      startup(mine),
      grant(OTHER, fresh('THEIRS')),
    ]);
    assert.deepEqual(
      ownBatch.json().map((a: { status: number }) => a.status),
      [202, 202, 403],
    );
  });

  it('refuses path tricks: percent-encoding, double slashes, case, trailing slashes, ..', async () => {
    const tricks: [string, string, unknown?][] = [
      ['GET', `/v1/municipalities/%73ydby/measures/SHARED-1`],
      ['GET', `/v1/municipalities/${OTHER}/measures/SHARED-1/`],
      ['GET', `//v1/municipalities/${OTHER}/measures/SHARED-1`],
      ['GET', `/v1//municipalities/${OTHER}/measures/SHARED-1`],
      ['GET', `/V1/municipalities/${OTHER}/measures/SHARED-1`],
      ['GET', `/v1/municipalities/SYDBY/measures/SHARED-1`],
      ['GET', `/v1/municipalities/${OWN}/../${OTHER}/measures/SHARED-1`],
      ['GET', `/v1/municipalities/${OWN}%2F..%2F${OTHER}/measures/SHARED-1`],
      ['GET', `/v1/municipalities/..%2F${OTHER}/measures/SHARED-1`],
      ['GET', `/v1/%6Dunicipalities/${OTHER}/measures/SHARED-1`],
      ['GET', `/v1/measures/ONLY-OTHER-1`],
      ['GET', `/v1/measures/%4FNLY-OTHER-1`],
      ['GET', `/v1/municipalities/${OTHER}/escalations`],
      ['PATCH', `/v1/%70olicies/${OTHER}/timers`, timer(OTHER)],
      ['PATCH', `/v1/policies/%73ydby/timers`, timer(OTHER)],
      [
        'POST',
        `/v1/policies/${OWN}%2F..%2F${OTHER}/versions`,
        { rollbackTo: 1, effectiveFrom: '2031-01-01', reason: 'xxx' },
      ],
      ['POST', `/%63odec/decode`, { payloads: [] }],
      ['GET', `/v1/%61udit`],
    ];
    for (const [method, url, body] of tricks) {
      // A reader and a policy-admin of the own municipality: never the other's data, never a 2xx.
      for (const auth of [keys.reader, keys['policy-admin'], undefined]) {
        const res = await call(method, url, auth, body);
        assert.ok([401, 403, 404].includes(res.statusCode), `${method} ${url}: ${res.statusCode} ${res.body}`);
      }
    }
  });

  it("verifies people's tokens against the issuer's JWKS: municipality and roles from claims", async () => {
    const reader = `Bearer ${await issuer.token({ sub: 'p1', name: 'Mette Læser', municipalities: [OWN], roles: ['reader'] })}`;
    assert.equal((await call('GET', `/v1/municipalities/${OWN}/measures/SHARED-1`, reader)).statusCode, 200);
    assert.equal((await call('GET', `/v1/municipalities/${OTHER}/measures/SHARED-1`, reader)).statusCode, 403);
    assert.equal((await call('PATCH', `/v1/policies/${OWN}/timers`, reader, timer(OWN))).statusCode, 403);
    // Space-separated claims, as some issuers send them.
    const admin = `Bearer ${await issuer.token({ sub: 'p2', municipalities: `${OWN} ${OTHER}`, roles: 'policy-admin' })}`;
    assert.equal((await call('PATCH', `/v1/policies/${OTHER}/timers`, admin, timer(OTHER))).statusCode, 200);
    const refused = {
      expired: await issuer.token(
        { municipalities: [OWN], roles: ['reader'] },
        { expiresIn: Math.floor(Date.now() / 1000) - 60 },
      ),
      'wrongly signed': await issuer.token({ municipalities: [OWN], roles: ['reader'] }, { key: 'stranger' }),
      'wrong audience': await issuer.token({ municipalities: [OWN], roles: ['reader'] }, { audience: 'another-api' }),
      'wrong issuer': await issuer.token(
        { municipalities: [OWN], roles: ['reader'] },
        { issuer: 'http://127.0.0.1:1/evil' },
      ),
      garbage: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    };
    for (const [what, token] of Object.entries(refused)) {
      const res = await call('GET', `/v1/municipalities/${OWN}/measures/SHARED-1`, `Bearer ${token}`);
      assert.equal(res.statusCode, 401, `${what}: ${res.body}`);
      assert.equal(res.json().error, 'unauthorized');
    }
  });

  it('refuses a revoked key at once, and the command line creates, lists and revokes keys', async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'access-cli.ts', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: (s.pool as unknown as { options: { connectionString: string } }).options.connectionString,
        },
      });
    const created = await cli('create-key', '--municipality', OWN, '--role', 'reader', '--name', 'BI-udtræk');
    const key = created.stdout.trim().split('\n').at(-1)!;
    assert.match(key, /^ifk_/);
    const id = /created key ([0-9a-f]+)/.exec(created.stdout)![1];
    assert.equal((await call('GET', '/v1/measures', `Bearer ${key}`)).statusCode, 200);
    assert.match((await cli('list-keys')).stdout, new RegExp(`${id}.*BI-udtræk.*${OWN}.*reader.*active`));
    await cli('revoke-key', id);
    const res = await call('GET', '/v1/measures', `Bearer ${key}`);
    assert.equal(res.statusCode, 401);
    assert.match(res.json().message, /revoked/);
    await assert.rejects(cli('create-key', '--municipality', 'atlantis', '--role', 'reader'), /no policy for atlantis/);
    const stored = await s.pool.query('SELECT key_hash FROM api_keys WHERE id = $1', [id]);
    assert.notEqual(stored.rows[0].key_hash, key);
    assert.ok(!JSON.stringify(stored.rows).includes(key.slice(20)));
  });

  it('refuses identifiers that look like CPR numbers without repeating them, and stores them masked', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['subject', grant(OWN, SHAPED), 'subject'],
      ['subject, no hyphen', grant(OWN, `M-${cprShaped('010105', '')}`), 'subject'],
      ['caseworker', grant(OWN, fresh('CPR'), { caseworkerId: cprShaped('311299') }), 'data.caseworkerId'],
      ['case', grant(OWN, fresh('CPR'), { caseId: `sag-${cprShaped('290200', '')}` }), 'data.caseId'],
      ['team', grant(OWN, fresh('CPR'), { teamId: cprShaped('150687') }), 'data.teamId'],
      ['event id', { ...grant(OWN, fresh('CPR')), id: SHAPED }, 'id'],
      ['source', { ...grant(OWN, fresh('CPR')), source: `cs/${SHAPED}` }, 'source'],
    ];
    for (const [what, e, path] of cases) {
      const res = await call('POST', '/v1/events', keys['case-system'], e);
      assert.equal(res.statusCode, 400, what);
      assert.ok(
        res.json().issues.some((i: { path: string; message: string }) => i.path === path && /CPR/.test(i.message)),
        what,
      );
      assert.ok(!/\d{6}-?\d{4}/.test(res.body), `${what}: the answer repeats the number`);
    }
    // Not CPR: no valid date part, or part of a longer run of digits.
    for (const subject of ['M-3213991234', 'M-12345678901234', 'M-2026-12-01']) {
      const res = await call('POST', '/v1/events', keys['case-system'], grant(OWN, `${subject}-${++uid}`));
      assert.equal(res.statusCode, 202, `${subject}: ${res.body}`);
    }
    const leaked = await s.pool.query(
      `SELECT count(*)::int AS n FROM inbox WHERE coalesce(body::text, '') || coalesce(subject, '') || coalesce(event_id, '') || coalesce(source, '') ~ '(${cprShaped('010105', '-?')}|${cprShaped('311299')}|${cprShaped('290200', '')}|${cprShaped('150687')})'`,
    );
    assert.equal(leaked.rows[0].n, 0);
  });

  it("keeps the child's birth date out of the inbox's body", async () => {
    const e = grant(OWN, fresh('BIRTH'), { childBirthDate: '2015-03-04' });
    assert.equal((await call('POST', '/v1/events', keys['case-system'], e)).statusCode, 202);
    const row = await s.pool.query('SELECT body, sealed FROM inbox WHERE event_id = $1', [e.id]);
    assert.ok(!JSON.stringify(row.rows[0].body).includes('2015-03-04'));
    assert.equal(row.rows[0].sealed, null, 'no age rule: dropped, not sealed');
  });

  it('stores every form of a delivery masked (text, bytes), and records the refusals before the intake', async () => {
    const tag = fresh('MASK');
    const json = { 'content-type': 'application/json' };
    const secret = `"childBirthDate": "2015-03-04", "note": "barn ${SHAPED}"`;
    // Not JSON: kept as text. Not UTF-8: kept as bytes. Either way masked before it is stored.
    const text = await call('POST', '/v1/events', keys['case-system'], `{"id": "${tag}", ${secret}`, json);
    assert.equal(text.statusCode, 400);
    const bytes = Buffer.concat([Buffer.from(`{"id": "${tag}", ${secret}}`), Buffer.from([0xff, 0xfe])]);
    assert.equal((await call('POST', '/v1/events', keys['case-system'], bytes, json)).statusCode, 400);
    const rows = (
      await s.pool.query(
        `SELECT raw, raw_bytes, caller FROM inbox
          WHERE position($1 in coalesce(raw, '')) > 0 OR position(convert_to($1, 'UTF8') in coalesce(raw_bytes, ''::bytea)) > 0
          ORDER BY seq`,
        [tag],
      )
    ).rows as { raw: string | null; raw_bytes: Buffer | null; caller: string | null }[];
    assert.equal(rows.length, 2);
    for (const r of rows) {
      const stored = r.raw ?? r.raw_bytes!.toString('latin1');
      assert.doesNotMatch(stored, new RegExp(`${SHAPED}|2015-03-04`));
      assert.match(stored, /\[cpr-fjernet\]/);
      assert.match(r.caller ?? '', /^key:/);
    }
    assert.deepEqual([...rows[1].raw_bytes!.subarray(-2)], [0xff, 0xfe], 'bytes that are not text are kept');

    // The guard's 401 (nothing read: the metadata) and the rate limit's 429 (with its body, masked).
    const api = await buildApi({
      pool: s.pool,
      temporal: s.client,
      policies: catalogueSource([municipality(OWN)]),
      authRequired: true,
      rateLimitPerMinute: 1,
    });
    const [{ seq: since }] = (await s.pool.query('SELECT coalesce(max(seq), 0) AS seq FROM inbox')).rows;
    const post = (authorization?: string) =>
      api.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...json, ...(authorization ? { authorization } : {}) },
        payload: `{"id": "${tag}-limited", ${secret}}`,
      });
    assert.equal((await post()).statusCode, 401);
    assert.equal((await post(keys.reader)).statusCode, 403);
    await post(keys['case-system']);
    assert.equal((await post(keys['case-system'])).statusCode, 429);
    await api.close();
    const door = (
      await s.pool.query(
        `SELECT status, caller, raw, body, answer->>'error' AS error FROM inbox WHERE seq > $1 AND status IN (401, 403, 429) ORDER BY seq`,
        [since],
      )
    ).rows;
    assert.deepEqual(
      door.map((r) => [r.status, r.error, r.caller === null]),
      [
        [401, 'unauthorized', true],
        [403, 'forbidden', false],
        [429, 'too-many-requests', false],
      ],
    );
    assert.equal(door[0].raw, null, 'an unauthenticated body is not read');
    assert.match(door[2].raw, new RegExp(`${tag}-limited`));
    assert.doesNotMatch(door[2].raw, new RegExp(`${SHAPED}|2015-03-04`));
  });

  it('purges inbox bodies after the retention period and keeps the metadata', async () => {
    const e = startup('ONLY-OWN-1');
    await call('POST', '/v1/events', keys['case-system'], e);
    await s.pool.query(`UPDATE inbox SET received_at = now() - interval '100 days' WHERE event_id = $1`, [e.id]);
    const retention = startInboxRetention(s.pool, { days: 90, everyMs: 3_600_000 });
    await retention.stop();
    assert.ok((await retention.runOnce()) === 0, 'the first run at start did the work');
    const row = (await s.pool.query('SELECT * FROM inbox WHERE event_id = $1', [e.id])).rows[0];
    assert.equal(row.body, null);
    assert.ok(row.purged_at);
    assert.equal(row.subject, 'ONLY-OWN-1');
    assert.equal(row.status, 202);
    assert.equal(row.municipality, OWN);
  });

  it("encrypts each municipality's payloads with its own key, decrypts them only for its operators, rotates and shreds", async () => {
    const history = async (m: string, id: string) =>
      (await s.client.workflow.getHandle(measureWorkflowId(m, id)).fetchHistory()).events!;
    const firstPayload = async (m: string, id: string) => {
      const started = (await history(m, id)).find((e) => e.workflowExecutionStartedEventAttributes)!;
      return started.workflowExecutionStartedEventAttributes!.input!.payloads![0];
    };
    const own = await firstPayload(OWN, 'SHARED-1');
    const other = await firstPayload(OTHER, 'SHARED-1');
    assert.match(keyIdOf(own)!, new RegExp(`^${OWN}:`));
    assert.match(keyIdOf(other)!, new RegExp(`^${OTHER}:`));
    const asJson = (p: typeof own) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    });
    const decode = async (auth: string) => {
      const res = await call('POST', '/codec/decode', auth, { payloads: [asJson(own), asJson(other)] });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().payloads as { data: string }[]).map((p) => Buffer.from(p.data, 'base64').toString());
    };
    const [mine, theirs] = await decode(keys.operator);
    assert.match(mine, /SHARED-1/, 'own payload in clear');
    assert.doesNotMatch(theirs, /SHARED-1/, "the other's stays encrypted");
    const [a, b] = await decode(otherOperator);
    assert.doesNotMatch(a, /SHARED-1/);
    assert.match(b, /SHARED-1/);
    assert.ok((await decode(keys['platform-admin'])).every((x) => /SHARED-1/.test(x)));

    // Rotation: new payloads use the new key, old ones stay readable.
    const before = keyIdOf(own)!;
    const rotated = ring.rotate(OWN);
    assert.notEqual(rotated, before);
    const id = fresh('ROT');
    assert.equal((await call('POST', '/v1/events', keys['case-system'], grant(OWN, id))).statusCode, 202);
    assert.equal(keyIdOf(await firstPayload(OWN, id)), rotated);
    assert.match((await decode(keys.operator))[0], /SHARED-1/);

    // Crypto-shredding, on a municipality of its own (its workflows would need the key to replay).
    const codec = new MunicipalCodec(ring);
    const [sealed] = codec.encodeFor('vestby', [{ metadata: {}, data: Buffer.from('secret') }]);
    assert.equal(Buffer.from((await codec.decode([sealed]))[0].data!).toString(), 'secret');
    assert.ok(ring.retire(keyIdOf(sealed)!));
    await assert.rejects(codec.decode([sealed]), /retired/);
  });

  it('writes every administrative action to the audit log, with the caller as the author of a policy change', async () => {
    const auth = keys['policy-admin'];
    const res = await call(
      'PATCH',
      `/v1/policies/${OWN}/timers`,
      auth,
      { ...timer(OWN), dryRun: false, author: 'mallory', reason: 'audit test' },
      { 'x-indsatsflow-user': 'mallory', 'user-agent': 'audit-test/1' },
    );
    assert.equal(res.statusCode, 201, res.body);
    const versions = (await call('GET', `/v1/policies/${OWN}/versions`, keys.reader)).json().versions as {
      author: string;
      reason: string;
    }[];
    const v = versions.find((x) => x.reason === 'audit test')!;
    assert.match(v.author, /^policy-admin \[key:[0-9a-f]+\]$/);
    const log = await call('GET', `/v1/audit?municipality=${OWN}&action=policy.timer`, keys['platform-admin']);
    assert.equal(log.statusCode, 200);
    const entry = (log.json().items as Record<string, unknown>[]).find(
      (x) => (x.detail as { reason?: string })?.reason === 'audit test',
    )!;
    assert.ok(entry, log.body);
    assert.equal(entry.actorKind, 'key');
    assert.equal(entry.status, 201);
    assert.equal(entry.userAgent, 'audit-test/1');
    assert.ok(entry.remoteAddr);
    assert.equal((await call('GET', '/v1/audit', keys['policy-admin'])).statusCode, 403);
    // A refused attempt by a caller who proved who it is is written down too.
    await call('PATCH', `/v1/policies/${OTHER}/timers`, auth, timer(OTHER));
    const denied = (await call('GET', `/v1/audit?municipality=${OTHER}`, keys['platform-admin'])).json()
      .items as Record<string, unknown>[];
    assert.ok(denied.some((x) => x.status === 403 && x.action === 'policy.timer'));
  });

  it('rate-limits each key (429), refuses bodies over the limit (413) and routes that declare nothing', async () => {
    const api = await buildApi({
      pool: s.pool,
      temporal: s.client,
      policies: catalogueSource([municipality(OWN)]),
      authRequired: true,
      rateLimitPerMinute: 3,
    });
    api.get('/v1/undeclared', async () => ({ secret: true }));
    const a = keys.reader;
    const b = keys.operator;
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await api.inject({ method: 'GET', url: '/v1/catalogue', headers: { authorization: a } })).statusCode,
      );
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await api.inject({ method: 'GET', url: '/v1/catalogue', headers: { authorization: a } });
    assert.equal(limited.json().error, 'too-many-requests');
    assert.equal(
      (await api.inject({ method: 'GET', url: '/v1/catalogue', headers: { authorization: b } })).statusCode,
      200,
    );
    const undeclared = await api.inject({
      method: 'GET',
      url: '/v1/undeclared',
      headers: { authorization: keys['platform-admin'] },
    });
    assert.equal(undeclared.statusCode, 403);
    assert.doesNotMatch(undeclared.body, /secret/);
    const big = await api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: keys['case-system'], 'content-type': 'application/json' },
      payload: `[${'"x",'.repeat(BODY_LIMIT / 4)}"x"]`,
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error, 'too-large');
    await api.close();
  });

  it('with access control off: loopback only, the Host header checked, and no start on another address', async () => {
    const store = new PolicyStore(new PolicyVersionRepository(s.pool));
    const api = await buildApi({
      pool: s.pool,
      temporal: s.client,
      policies: store.source(),
      policyStore: store,
      authRequired: false,
    });
    const health = (host: string) => api.inject({ method: 'GET', url: '/health', headers: { host } });
    assert.equal((await health('127.0.0.1:3000')).statusCode, 200);
    assert.equal((await health('localhost:3000')).statusCode, 200);
    const rebound = await health('attacker.example:3000');
    assert.equal(rebound.statusCode, 403);
    assert.equal(rebound.json().error, 'forbidden-host');
    await api.close();
    await assert.rejects(
      startServices({
        dataDir: mkdtempSync(join(tmpdir(), 'indsatsflow-host-')),
        host: '0.0.0.0',
        authRequired: false,
      }),
      /INDSATSFLOW_AUTH=required/,
    );
  });

  it(`answers ${RUNS} generated requests without a 5xx, and stores every delivery`, async () => {
    const fuzzKey = await createKey(s.pool, [OWN], ['case-system', 'reader'], 'fuzz');
    const stored = async () =>
      (await s.pool.query('SELECT count(*)::int AS n FROM inbox WHERE caller = $1', [`key:${fuzzKey.id}`])).rows[0]
        .n as number;
    const requests = fc.sample(fuzzRequest, { numRuns: RUNS, seed: 10_2026 });
    const storedBefore = await stored();
    const failures: string[] = [];
    let expectedRows = 0;
    const statuses: Record<number, number> = {};
    const one = async (r: (typeof requests)[number]) => {
      const headers: Record<string, string> = { host: r.host };
      if (r.auth === 'own') headers.authorization = fuzzKey.authorization;
      else if (r.auth !== 'none') headers.authorization = r.auth;
      if (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS') headers['content-type'] = r.contentType;
      const res = await s.api.inject({
        method: r.method as 'POST',
        url: r.url,
        headers,
        ...(headers['content-type'] ? { payload: r.body } : {}),
      });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 500) failures.push(`${r.method} ${r.url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      // Never the other municipality's measure, however asked.
      if (
        res.statusCode === 200 &&
        /measures|escalations/.test(r.url) &&
        /ONLY-OTHER-1|"municipality":"sydby"/.test(res.body)
      )
        failures.push(`${r.method} ${r.url} → 200 with the other municipality's data`);
      if (r.method === 'POST' && toIntake(r.url)) expectedRows += intakeRows(res.statusCode, res.body);
    };
    for (let i = 0; i < requests.length; i += 16) await Promise.all(requests.slice(i, i + 16).map(one));
    assert.deepEqual(failures.slice(0, 20), []);
    assert.equal(
      (await stored()) - storedBefore,
      expectedRows,
      `every delivery the intake answered is stored; statuses ${JSON.stringify(statuses)}`,
    );
    assert.ok(expectedRows > RUNS / 4, `the intake was reached often enough (${expectedRows})`);
  });
});

// Policy edits and decrypted payloads need the admin token when one is configured; reads do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import Fastify from 'fastify';
import type { Pool } from 'pg';
import { requireAdmin } from '../api/admin-auth';
import { buildApi } from '../api/server';
import { PolicyStore } from '../policies/store';

/** The guard as the route plugins use it: a hook in the scope of the routes it protects. */
async function app(token: string | undefined) {
  const a = Fastify();
  await a.register(async (guarded) => {
    requireAdmin(guarded, token);
    guarded.patch('/v1/policies/hjorring/timers', async () => ({ ok: true }));
    guarded.post('/codec/decode', async () => ({ ok: true }));
  });
  a.get('/v1/policies/hjorring/versions', async () => ({ ok: true }));
  a.post('/v1/events', async () => ({ ok: true }));
  return a;
}

test('with a token: edits and the codec need it, reads and events do not', async () => {
  const a = await app('s3cret-token');
  const call = (method: 'GET' | 'PATCH' | 'POST', url: string, authorization?: string) =>
    a.inject({
      method,
      url,
      headers: authorization ? { authorization } : {},
      payload: method === 'GET' ? undefined : {},
    });
  assert.equal((await call('PATCH', '/v1/policies/hjorring/timers')).statusCode, 401);
  assert.equal((await call('PATCH', '/v1/policies/hjorring/timers', 'Bearer wrong-token!')).statusCode, 401);
  assert.equal((await call('PATCH', '/v1/policies/hjorring/timers', 'Bearer s3cret-token')).statusCode, 200);
  assert.equal((await call('POST', '/codec/decode')).statusCode, 401);
  assert.equal((await call('POST', '/codec/decode', 'Bearer s3cret-token')).statusCode, 200);
  assert.equal((await call('GET', '/v1/policies/hjorring/versions')).statusCode, 200);
  assert.equal((await call('POST', '/v1/events')).statusCode, 200);
  const body = (await call('PATCH', '/v1/policies/hjorring/timers')).json();
  assert.equal(body.error, 'unauthorized');
});

test('without a token (the embedded default on 127.0.0.1) nothing is asked', async () => {
  const a = await app(undefined);
  assert.equal((await a.inject({ method: 'PATCH', url: '/v1/policies/hjorring/timers', payload: {} })).statusCode, 200);
});

test('the guard follows the matched route, not the spelling of the URL', async () => {
  const a = await app('s3cret-token');
  assert.equal(
    (await a.inject({ method: 'PATCH', url: '/v1/%70olicies/hjorring/timers', payload: {} })).statusCode,
    401,
  );
  assert.equal((await a.inject({ method: 'POST', url: '/%63odec/decode', payload: {} })).statusCode, 401);
});

test('the real API: percent-encoded policy edits and codec calls need the token from INDSATSFLOW_ADMIN_TOKEN', async (t) => {
  const before = process.env.INDSATSFLOW_ADMIN_TOKEN;
  process.env.INDSATSFLOW_ADMIN_TOKEN = 's3cret-token';
  t.after(() => {
    if (before === undefined) delete process.env.INDSATSFLOW_ADMIN_TOKEN;
    else process.env.INDSATSFLOW_ADMIN_TOKEN = before;
  });
  // The hook answers before any handler runs: nothing here reaches a database, Temporal or the codec.
  const unreachable = new Proxy({}, { get: () => assert.fail('the guard let the request through to a dependency') });
  const api = await buildApi({
    pool: unreachable as Pool,
    temporal: unreachable as Client,
    policies: unreachable as never,
    policyStore: new PolicyStore(unreachable as never),
    codec: unreachable as PayloadCodec,
  });
  const call = (method: 'PATCH' | 'POST', url: string) => api.inject({ method, url, payload: {} });
  for (const url of [
    '/v1/%70olicies/hjorring/timers',
    '/v1/policies/hjorring/timers',
    '/v1/policies/%68jorring/timers',
  ]) {
    const res = await call('PATCH', url);
    assert.equal(res.statusCode, 401, url);
    assert.equal(res.json().error, 'unauthorized');
  }
  for (const url of ['/%63odec/decode', '/codec/%64ecode', '/codec/decode'])
    assert.equal((await call('POST', url)).statusCode, 401, url);
  assert.equal((await call('POST', '/v1/%70olicies/rollouts/hjorring-v2/stop')).statusCode, 401);
  assert.equal((await call('POST', '/v1/policies/hjorring/versions')).statusCode, 401);
  await api.close();
});

// Policy edits and decrypted payloads need the admin token when one is configured; reads do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerAdminAuth } from '../api/admin-auth';

async function app(token: string | undefined) {
  const a = Fastify();
  registerAdminAuth(a, token);
  a.get('/v1/policies/hjorring/versions', async () => ({ ok: true }));
  a.patch('/v1/policies/hjorring/timers', async () => ({ ok: true }));
  a.post('/codec/decode', async () => ({ ok: true }));
  a.post('/v1/events', async () => ({ ok: true }));
  return a;
}

test('with a token: edits and the codec need it, reads and events do not', async () => {
  const a = await app('s3cret-token');
  const call = (method: 'GET' | 'PATCH' | 'POST', url: string, authorization?: string) =>
    a.inject({ method, url, headers: authorization ? { authorization } : {}, payload: method === 'GET' ? undefined : {} });
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

// A failure on our side is answered without its internals: a generic message and the request id
// to find the detail in the log. Here the database and Temporal are really unreachable (closed ports).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { buildApi } from '../api/server';
import { catalogueSource } from '../policies/source';

test('a 5xx answer carries a correlation id and no internal detail', async (t) => {
  const pool = new pg.Pool({
    connectionString: 'postgres://nobody:secret@127.0.0.1:1/nothing',
    connectionTimeoutMillis: 2_000,
  });
  pool.on('error', () => undefined);
  const temporal = new Client({
    connection: Connection.lazy({ address: '127.0.0.1:2', connectTimeout: 2_000, interceptors: [] }),
  });
  const api = await buildApi({ pool, temporal, policies: catalogueSource() });
  t.after(async () => {
    await api.close();
    await pool.end();
    await temporal.connection.close();
  });

  // The event intake answers the contract's 503 with Retry-After instead (issue 11), likewise bare.
  const event = await api.inject({ method: 'POST', url: '/v1/events', payload: { specversion: '1.0' } });
  assert.equal(event.statusCode, 503);
  assert.equal(event.json().error, 'unavailable');
  assert.ok(Number(event.headers['retry-after']) > 0);
  assert.doesNotMatch(event.body, /127\.0\.0\.1|ECONNREFUSED|nobody|secret/, 'POST /v1/events leaks nothing');

  for (const [method, url] of [
    ['GET', '/v1/measures/M-1'],
    ['GET', '/v1/escalations'],
  ] as const) {
    const res = await api.inject({ method, url });
    assert.equal(res.statusCode, 500, `${method} ${url}`);
    const body = res.json();
    assert.equal(body.error, 'internal');
    assert.equal(typeof body.correlationId, 'string');
    assert.ok(body.correlationId.length > 0);
    assert.doesNotMatch(res.body, /127\.0\.0\.1|ECONNREFUSED|nobody|secret/, `${method} ${url} leaks nothing`);
  }

  const health = await api.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 503);
  assert.deepEqual(health.json(), { status: 'unavailable', database: 'unreachable', temporal: 'unreachable' });
});

// The OpenAPI document shows every answer a route gives, and the typed data of each event type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { CONTRACT_EVENT_TYPES as eventTypes } from '../machines/event-catalogue';
import { buildApi } from '../api/server';
import { PolicyStore } from '../policies/store';

test('/docs/json documents the answers of the intake and the read side', async (t) => {
  // Building the document touches no dependency: none is given.
  const none = new Proxy({}, { get: () => assert.fail('the OpenAPI document reached a dependency') });
  const api = await buildApi({
    pool: none as Pool,
    temporal: none as Client,
    policies: none as never,
    policyStore: new PolicyStore(none as never),
  });
  t.after(() => api.close());
  const res = await api.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();

  const events = doc.paths['/v1/events'].post;
  for (const status of ['202', '207', '400', '404', '409', '503'])
    assert.ok(events.responses[status], `POST /v1/events documents ${status}`);
  const accepted = JSON.stringify(events.responses['202']);
  for (const field of ['measureId', 'state', 'duplicate', 'warnings']) assert.match(accepted, new RegExp(`"${field}"`));

  // The body: one envelope per event type, each with its own data.
  const body = JSON.stringify(events.requestBody);
  for (const type of eventTypes)
    assert.match(body, new RegExp(`"${type.replace('.', '\\.')}"`), `the body documents ${type}`);
  for (const field of ['caseworkerId', 'participants', 'approvedBy', 'obligation', 'placedOn'])
    assert.match(body, new RegExp(`"${field}"`), `the body documents data.${field}`);

  const measure = doc.paths['/v1/measures/{measureId}'].get;
  const ok = measure.responses['200'];
  assert.ok(ok, 'GET /v1/measures/{measureId} documents 200');
  const okSchema = JSON.stringify(ok);
  for (const field of ['deadlines', 'history', 'policyVersion', 'escalationLevel'])
    assert.match(okSchema, new RegExp(`"${field}"`));
  assert.ok(measure.responses['404'], 'GET /v1/measures/{measureId} documents 404');

  for (const [path, method] of [
    ['/v1/measures', 'get'],
    ['/v1/escalations', 'get'],
    ['/v1/catalogue/{municipality}', 'get'],
    ['/v1/policies/{municipality}/timers', 'patch'],
    ['/health', 'get'],
  ] as const)
    assert.ok(doc.paths[path][method].responses['200'], `${method.toUpperCase()} ${path} documents 200`);
  assert.ok(doc.paths['/v1/policies/{municipality}/timers'].patch.responses['401'], 'policy edits document 401');
  // Lists say when they are cut: a page of items and the cursor of the next.
  for (const path of ['/v1/measures', '/v1/escalations']) {
    const list = JSON.stringify(doc.paths[path].get.responses['200']);
    assert.match(list, /"items"/, `${path} answers items`);
    assert.match(list, /"next"/, `${path} answers next`);
    assert.match(JSON.stringify(doc.paths[path].get.parameters), /"cursor"/, `${path} takes a cursor`);
  }
  assert.match(JSON.stringify(doc.paths['/v1/escalations'].get.responses['200']), /"resolution"/);
});

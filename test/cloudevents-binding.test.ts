// The CloudEvents HTTP binding as the `cloudevents` npm SDK speaks it: its own emitter, in binary
// mode (the SDK's default: `ce-*` headers, the data as the body) and in structured mode, against
// the real stack; and a binary-mode event that is wrong is stored and answered like any other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudEvent, emitterFor, Mode, type Message } from 'cloudevents';
import { dateOf } from '../machines/dates';
import { eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());

describe('CloudEvents HTTP binding: binary, structured and batch modes', { timeout: 180_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });

  // The SDK formats the HTTP message (headers and body) for the mode; this sends it as it is and
  // keeps the status (the SDK's httpTransport resolves with the body only).
  const sent: Message[] = [];
  const transport = async (message: Message) => {
    sent.push(message);
    const res = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: message.headers as Record<string, string>,
      body: message.body as string,
    });
    return { status: res.status, body: await res.json() };
  };

  const grant = (id: string) =>
    new CloudEvent({
      source: 'test/sdk-case-system',
      type: 'measure.granted',
      subject: id,
      datacontenttype: 'application/json',
      data: {
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-nord',
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'roed',
        grantedOn: today(),
        startOn: today(),
      },
    });

  it("accepts an event sent by the SDK's default emitter (binary mode) and stores its envelope", async () => {
    const id = measureId('CE-BIN');
    const ce = grant(id);
    const emit = emitterFor(transport, { mode: Mode.BINARY });
    const res = (await emit(ce)) as { status?: number; body?: unknown };
    assert.equal(sent.at(-1)?.headers['ce-type'], 'measure.granted', 'the SDK sent binary mode');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const m = await eventually(async () => (await s.get(`/v1/measures/${id}`)).body?.measureId === id, 'the measure');
    assert.ok(m);
    const stored = await s.pool.query(
      'SELECT source, event_id, event_type, subject, status FROM inbox WHERE event_id = $1',
      [ce.id],
    );
    assert.deepEqual(stored.rows, [
      { source: 'test/sdk-case-system', event_id: ce.id, event_type: 'measure.granted', subject: id, status: 202 },
    ]);
  });

  it('accepts an event sent by the SDK in structured mode', async () => {
    const id = measureId('CE-STR');
    const emit = emitterFor(transport, { mode: Mode.STRUCTURED });
    const res = (await emit(grant(id))) as { status?: number; body?: unknown };
    assert.match(String(sent.at(-1)?.headers['content-type']), /^application\/cloudevents\+json/);
    assert.equal(res.status, 202, JSON.stringify(res.body));
  });

  it('answers a binary-mode event with wrong data 400 naming the path, and stores it', async () => {
    const id = measureId('CE-BAD');
    const res = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': `bad-${id}`,
        'ce-source': 'test/raw',
        'ce-type': 'measure.granted',
        'ce-subject': id,
      },
      body: JSON.stringify({ municipality: 'hjorring' }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; issues: Array<{ path: string }> };
    assert.equal(body.error, 'invalid-event');
    assert.ok(
      body.issues.some((i) => i.path.startsWith('data')),
      JSON.stringify(body.issues),
    );
    const stored = await s.pool.query('SELECT status FROM inbox WHERE event_id = $1', [`bad-${id}`]);
    assert.deepEqual(stored.rows, [{ status: 400 }]);
  });

  it('stores a binary-mode body the contract cannot take, with its envelope, before refusing it', async () => {
    const id = measureId('CE-RAW');
    const headers = (eventId: string, contentType: string) => ({
      'content-type': contentType,
      'ce-specversion': '1.0',
      'ce-id': eventId,
      'ce-source': 'test/raw',
      'ce-type': 'measure.granted',
      'ce-subject': id,
    });
    const send = (eventId: string, contentType: string, body: string | Buffer) =>
      fetch(`${s.apiUrl}/v1/events`, { method: 'POST', headers: headers(eventId, contentType), body });
    const row = async (eventId: string) =>
      (
        await s.pool.query(
          `SELECT source, event_type, subject, status, content_type, body->>'data' AS data, raw IS NOT NULL AS raw,
                  raw_bytes IS NOT NULL AS bytes FROM inbox WHERE event_id = $1`,
          [eventId],
        )
      ).rows;

    const plain = await send(`txt-${id}`, 'text/plain', 'kommune=hjorring');
    assert.equal(plain.status, 415);
    assert.equal(((await plain.json()) as { error: string }).error, 'unsupported-media-type');
    assert.deepEqual(await row(`txt-${id}`), [
      {
        source: 'test/raw',
        event_type: 'measure.granted',
        subject: id,
        status: 415,
        content_type: 'text/plain',
        data: 'kommune=hjorring',
        raw: false,
        bytes: false,
      },
    ]);

    const broken = await send(`json-${id}`, 'application/json', '{"municipality": ');
    assert.equal(broken.status, 400);
    const issues = ((await broken.json()) as { issues: Array<{ path: string }> }).issues;
    assert.deepEqual(
      issues.map((i) => i.path),
      ['data'],
    );
    assert.equal((await row(`json-${id}`))[0]?.status, 400);
    assert.equal((await row(`json-${id}`))[0]?.data, '{"municipality": ');

    const binary = await send(`bin-${id}`, 'application/octet-stream', Buffer.from([0xff, 0x00, 0xfe]));
    assert.equal(binary.status, 415);
    const [b] = await row(`bin-${id}`);
    assert.deepEqual([b?.status, b?.subject, b?.data, b?.bytes], [415, id, null, true]);
  });

  it('decodes percent-encoded header values (binding §3.1.3.2)', async () => {
    const id = measureId('CE-PCT');
    const res = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': `pct-${id}`,
        'ce-source': 'test/%C3%A6%C3%B8%C3%A5',
        'ce-type': 'measure.granted',
        'ce-subject': id,
      },
      body: JSON.stringify(grant(id).data),
    });
    assert.equal(res.status, 202, await res.text());
    const stored = await s.pool.query('SELECT source FROM inbox WHERE event_id = $1', [`pct-${id}`]);
    assert.equal(stored.rows[0].source, 'test/æøå');
  });

  it('answers a batch (application/cloudevents-batch+json) event by event', async () => {
    const id = measureId('CE-BATCH');
    const res = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([grant(id).toJSON(), { specversion: '1.0' }]),
    });
    assert.equal(res.status, 207);
    const answers = (await res.json()) as Array<{ status: number }>;
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 400],
    );
  });
});

// OpenTelemetry on the real stack: with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a small OTLP/HTTP
// receiver started here, an event sent over HTTP leaves one trace that links the HTTP server span,
// the client's update span, the workflow's update handler span and the activity it ran; a caller's
// `traceparent` is continued; and nothing personal (the child's birth date) is in any span.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { dateOf } from '../machines/dates';
import { tracing } from '../observability/tracing';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}
interface Received {
  service: string | undefined;
  span: OtlpSpan;
}

/** An OTLP/HTTP receiver for JSON (what @opentelemetry/exporter-trace-otlp-http sends). */
async function startReceiver(): Promise<{ server: Server; url: string; spans: Received[]; bodies: string[] }> {
  const spans: Received[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !/json/.test(req.headers['content-type'] ?? '')) {
        res.writeHead(415).end();
        return;
      }
      bodies.push(body);
      for (const rs of JSON.parse(body).resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a: { key: string }) => a.key === 'service.name')?.value
          ?.stringValue as string | undefined;
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ service, span });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}`, spans, bodies };
}

const SERVER = 2; // OTLP SpanKind
const attr = (s: OtlpSpan, key: string) => s.attributes?.find((a) => a.key === key)?.value;

describe('OpenTelemetry traces over OTLP', { timeout: 180_000 }, () => {
  let s: TestStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  before(async () => {
    receiver = await startReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
    await tracing()?.shutdown();
    receiver?.server.closeAllConnections();
    receiver?.server.close();
    if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
  });

  const send = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.apiUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', ...headers },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 202, await res.text());
  };

  /** Whether `sp`'s chain of parents reaches `root`: one tree, not spans that merely share an id. */
  const descends = (sp: OtlpSpan, root: OtlpSpan, spans: OtlpSpan[]) => {
    const byId = new Map(spans.map((x) => [x.spanId, x]));
    let at: OtlpSpan | undefined = sp;
    for (let hops = 0; at && at.spanId !== root.spanId && hops < 20; hops++)
      at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
    return at?.spanId === root.spanId;
  };

  /** Once the trace under `find()` holds a descendant of each name wanted (flushing meanwhile):
   *  the root and those descendants, one per name. */
  const traceWith = async (find: () => OtlpSpan | undefined, names: RegExp[]) =>
    eventually(
      async () => {
        await tracing()!.flush();
        const root = find();
        if (!root) return undefined;
        const inTrace = receiver.spans.filter((r) => r.span.traceId === root.traceId).map((r) => r.span);
        const found = names.map((n) => inTrace.find((sp) => n.test(sp.name) && descends(sp, root, inTrace)));
        return found.every(Boolean) && { root, found: found as OtlpSpan[] };
      },
      'the spans of the trace, linked to its HTTP span',
      60_000,
    );

  const WANTED = [
    /^UpdateWithStartWorkflow:/,
    /^HandleUpdate:event$/,
    /^StartActivity:projectMeasure$/,
    /^RunActivity:projectMeasure$/,
  ];

  it('links the HTTP request, the update, its handler and the activity in one trace', async () => {
    const id = measureId('OTEL');
    const birth = '2014-03-17';
    const today = dateOf(Date.now());
    await send(
      event('measure.granted', id, {
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-nord',
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'roed',
        grantedOn: today,
        startOn: today,
        childBirthDate: birth,
      }),
    );
    const { root, found } = await traceWith(
      () => receiver.spans.find((r) => r.span.kind === SERVER && r.span.name === 'POST /v1/events')?.span,
      WANTED,
    );
    assert.equal(root.parentSpanId || undefined, undefined, 'the HTTP span is the root');
    assert.equal(attr(root, 'http.route')?.stringValue, '/v1/events');
    assert.equal(attr(root, 'http.status_code')?.intValue, 202);
    const [update, handler, , run] = found as [OtlpSpan, OtlpSpan, OtlpSpan, OtlpSpan];
    assert.equal(update.parentSpanId, root.spanId, 'the update is called within the request');
    assert.match(String(attr(run, 'temporalActivityId')?.stringValue), /./);
    assert.match(String(attr(handler, 'temporalUpdateId')?.stringValue), /^test\/case-system\//);
    // The worker's spans carry its resource, the API's its own: both are the service.
    assert.ok(receiver.spans.every((r) => r.service === 'indsatsflow'));

    // Nothing personal: not the birth date, nor the event's data (not even its identifiers, which
    // the search attributes hold), in any span or resource.
    const all = receiver.bodies.join('\n');
    assert.ok(!all.includes(birth), 'the birth date is in a span');
    const leak = /.{0,400}(childBirthDate|caseworkerId|cw-1).{0,400}/s.exec(all);
    assert.ok(!leak, `event data is in a span: ${leak?.[0]}`);
    assert.ok(!/\b\d{6}-?\d{4}\b/.test(all), 'something shaped like a CPR number is in a span');
  });

  it("continues a caller's trace (W3C traceparent) and leaves probes and scrapes untraced", async () => {
    const id = measureId('OTELP');
    const today = dateOf(Date.now());
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const caller = '00f067aa0ba902b7';
    await send(
      event('measure.granted', id, {
        caseId: 'C-2',
        caseworkerId: 'cw-2',
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'roed',
        grantedOn: today,
        startOn: today,
      }),
      { traceparent: `00-${traceId}-${caller}-01` },
    );
    const { root } = await traceWith(
      () => receiver.spans.find((r) => r.span.traceId === traceId && r.span.kind === SERVER)?.span,
      WANTED,
    );
    assert.equal(root.parentSpanId, caller);

    assert.equal((await fetch(`${s.apiUrl}/metrics`)).status, 200);
    assert.equal((await fetch(`${s.apiUrl}/health/live`)).status, 200);
    await fetch(`${s.apiUrl}/v1/escalations?measureId=${id}`);
    await tracing()!.flush();
    const served = receiver.spans
      .filter((r) => r.span.kind === SERVER)
      .map((r) => String(attr(r.span, 'http.target')?.stringValue));
    assert.ok(!served.some((t) => /^\/(metrics|health)/.test(t)), `probes traced: ${served.join(', ')}`);
    assert.ok(served.includes('/v1/escalations'), 'a read is traced, without its query string');
  });
});

// Names the HTTP server span (started by @opentelemetry/instrumentation-http, when tracing is on)
// after the Fastify route it reached, "POST /v1/events", with `http.route`: the route pattern, not
// the path, so that spans group by endpoint. Without tracing there is no active span: a no-op.
import { trace } from '@opentelemetry/api';
import type { onRequestHookHandler } from 'fastify';

export const nameServerSpan: onRequestHookHandler = (req, _reply, done) => {
  const span = trace.getActiveSpan();
  const route = req.routeOptions.url;
  if (span && route) {
    span.updateName(`${req.method} ${route}`);
    span.setAttribute('http.route', route);
  }
  done();
};

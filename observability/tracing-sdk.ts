// The OpenTelemetry SDK for one process, loaded only when tracing is on (observability/tracing.ts).
// The SDK is the 1.x line (sdk-trace-base 1.30, the OTLP exporter 0.57) because that is what
// @temporalio/interceptors-opentelemetry 1.24 is built on and exports workflow spans through;
// it runs on Node 20. Spans leave in batches as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT
// (/v1/traces appended; OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
// and the batch settings as the OTel specification defines them).
//
// What a span may say: HTTP method, route, path and status; Temporal workflow, run, update and
// activity ids (identifiers the contract keeps free of personal data). Never bodies or headers,
// and no query strings (a filter may carry anything a caller typed).
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSink } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from './tracing';

/** Requests not worth a trace: scrapes and probes, every few seconds. */
const UNTRACED = /^\/(metrics|health)(\/|\?|$)/;

const withoutQuery = (url: string): string => url.split('?')[0]!;

/** What of the workflow's info goes into its spans. The SDK's sink copies all of it into every
 *  span: search attributes, memo, the last failure; these name the run and nothing more. */
const INFO_IN_SPANS = ['namespace', 'taskQueue', 'workflowType', 'workflowId', 'runId', 'attempt'] as const;

function workflowSpans(sink: InjectedSink<OpenTelemetryWorkflowExporter>): InjectedSink<OpenTelemetryWorkflowExporter> {
  return {
    export: {
      fn: (info, spans) =>
        sink.export.fn(Object.fromEntries(INFO_IN_SPANS.map((k) => [k, info[k]])) as unknown as WorkflowInfo, spans),
      callDuringReplay: false,
    },
  };
}

export function createTracing(role: string, env: Record<string, string | undefined>): Tracing {
  const resource = Resource.default()
    .merge(
      new Resource({
        'service.name': 'indsatsflow',
        'service.version': env.npm_package_version ?? '0.1.0',
        'indsatsflow.role': role,
      }),
    )
    .merge(envDetectorSync.detect());
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  provider.register({
    contextManager: new AsyncLocalStorageContextManager().enable(),
    propagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  });
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Outgoing calls are fetch (not http) or the exporter's own; only the server side is traced.
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (req) => UNTRACED.test(req.url ?? ''),
        requestHook: (span, req) => {
          const url = (req as IncomingMessage).url;
          if (url === undefined) return;
          span.setAttribute('http.target', withoutQuery(url));
          const host = (req as IncomingMessage).headers?.host;
          if (host) span.setAttribute('http.url', `http://${host}${withoutQuery(url)}`);
        },
      }),
    ],
  });
  // The instrumentation patches `http` when it is next required: Fastify (and so the server's
  // prototype) may already be loaded, so require it once now.
  createRequire(__filename)('node:http');
  return {
    client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    worker: {
      interceptors: {
        // The worker's own client (a rollout's activity sends the measures their policy update).
        client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: workflowSpans(makeWorkflowExporter(processor, resource)) },
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

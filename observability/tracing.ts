// OpenTelemetry traces from the HTTP request through the Temporal update to the activities,
// exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
// is set. Off otherwise, at no cost: the SDK is not even loaded (observability/tracing-sdk.ts is
// imported only when tracing starts), the client and worker get no interceptors, and the workflow
// interceptors in the bundle let untraced calls straight through (workflows/tracing-interceptors.ts).
// One tracer per process: the roles, `npm start` and the tests start it once, before Temporal.
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';

export interface Tracing {
  /** For the Temporal client's `interceptors`. */
  client: { workflow: WorkflowClientInterceptor[] };
  /** Spread into the worker's options: activity interceptors and the workflow spans' sink. */
  worker: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what has ended so far (tests; before a stop). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

export function tracingWanted(env: Env = process.env): boolean {
  return (
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
    env.OTEL_SDK_DISABLED !== 'true' &&
    env.OTEL_TRACES_EXPORTER !== 'none'
  );
}

let started: Promise<Tracing | undefined> | undefined;
let current: Tracing | undefined;

/** Starts tracing once per process when the environment asks for it; `role` names the process. */
export function startTracing(role: string, env: Env = process.env): Promise<Tracing | undefined> {
  if (!tracingWanted(env)) return Promise.resolve(current);
  started ??= import('./tracing-sdk').then((sdk) => (current = sdk.createTracing(role, env)));
  return started;
}

/** The running tracer, if any. */
export const tracing = (): Tracing | undefined => current;

/** A workflow traced by an API whose worker does not trace hands its spans to this sink, which
 *  drops them (instead of the SDK's warning for an unregistered sink at every span). */
const dropSpans: InjectedSinks<OpenTelemetrySinks> = {
  exporter: { export: { fn: () => undefined } },
};

/** The worker's share: the interceptors and the sink when tracing, else only the dropping sink. */
export function workerTracing(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return current?.worker ?? { sinks: dropSpans };
}

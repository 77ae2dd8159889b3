// Workflow interceptors (bundled through `workflowInterceptorModules`, temporal/bundle.ts): the
// OpenTelemetry interceptors of @temporalio/interceptors-opentelemetry, engaged only for calls that
// carry a trace context. The API's client puts one in the headers when tracing is on
// (OTEL_EXPORTER_OTLP_ENDPOINT, observability/tracing.ts); without one (tracing off, and every
// history recorded before tracing existed) each call goes straight on: no span, no sink call, the
// same code path as without interceptors, so a replay takes the path its history took.
//
// The OTel modules themselves are loaded at a workflow's first traced call, not at its creation:
// the SDK runs every bundled module's scope again for each workflow it creates (a grant, or a
// cached measure evicted and woken again), and OpenTelemetry's hundred-odd modules were most of
// that cost for a worker that traces nothing (issue 14). `require` inside the function keeps them
// in the bundle but runs them only when asked; this module's state is the workflow's own.
import type * as OtelApi from '@opentelemetry/api';
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  ActivityInput,
  ContinueAsNewInput,
  GetLogAttributesInput,
  Headers,
  LocalActivityInput,
  Next,
  QueryInput,
  SignalInput,
  SignalWorkflowInput,
  StartChildWorkflowExecutionInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor as Inbound,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor as Internals,
  WorkflowOutboundCallsInterceptor as Outbound,
} from '@temporalio/workflow';

/** The header the OTel client and workflow interceptors carry the trace context in. */
export const TRACE_HEADER = '_tracer-data';

let otel: { api: typeof OtelApi; wf: typeof OtelWorkflow } | undefined;
function loadOtel(): NonNullable<typeof otel> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
  return (otel ??= {
    api: require('@opentelemetry/api') as typeof OtelApi,
    wf: require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow,
  });
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const carriesTrace = (headers: Headers): boolean => headers[TRACE_HEADER] !== undefined;
/** Inside a traced handler (or a traced run): what the workflow starts from here belongs to its
 *  trace. Before any traced call there is no span, so nothing need be loaded to say so. */
const inTrace = (): boolean => otel !== undefined && otel.api.trace.getSpan(otel.api.context.active()) !== undefined;

class TracedInbound implements Inbound {
  private otel?: OtelWorkflow.OpenTelemetryInboundInterceptor;
  private get o(): OtelWorkflow.OpenTelemetryInboundInterceptor {
    return (this.otel ??= new (loadOtel().wf.OpenTelemetryInboundInterceptor)());
  }
  execute(input: WorkflowExecuteInput, next: Next<Inbound, 'execute'>): Promise<unknown> {
    return carriesTrace(input.headers) ? this.o.execute(input, next) : next(input);
  }
  handleSignal(input: SignalInput, next: Next<Inbound, 'handleSignal'>): Promise<void> {
    return carriesTrace(input.headers) ? this.o.handleSignal(input, next) : next(input);
  }
  handleUpdate(input: UpdateInput, next: Next<Inbound, 'handleUpdate'>): Promise<unknown> {
    return carriesTrace(input.headers) ? this.o.handleUpdate(input, next) : next(input);
  }
  validateUpdate(input: UpdateInput, next: Next<Inbound, 'validateUpdate'>): void {
    if (carriesTrace(input.headers)) this.o.validateUpdate(input, next);
    else next(input);
  }
  handleQuery(input: QueryInput, next: Next<Inbound, 'handleQuery'>): Promise<unknown> {
    return carriesTrace(input.headers) ? this.o.handleQuery(input, next) : next(input);
  }
}

class TracedOutbound implements Outbound {
  private otel?: OtelWorkflow.OpenTelemetryOutboundInterceptor;
  private get o(): OtelWorkflow.OpenTelemetryOutboundInterceptor {
    return (this.otel ??= new (loadOtel().wf.OpenTelemetryOutboundInterceptor)());
  }
  scheduleActivity(input: ActivityInput, next: Next<Outbound, 'scheduleActivity'>): Promise<unknown> {
    return inTrace() ? this.o.scheduleActivity(input, next) : next(input);
  }
  scheduleLocalActivity(input: LocalActivityInput, next: Next<Outbound, 'scheduleLocalActivity'>): Promise<unknown> {
    return inTrace() ? this.o.scheduleLocalActivity(input, next) : next(input);
  }
  startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<Outbound, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return inTrace() ? this.o.startChildWorkflowExecution(input, next) : next(input);
  }
  continueAsNew(input: ContinueAsNewInput, next: Next<Outbound, 'continueAsNew'>): Promise<never> {
    return inTrace() ? this.o.continueAsNew(input, next) : next(input);
  }
  signalWorkflow(input: SignalWorkflowInput, next: Next<Outbound, 'signalWorkflow'>): Promise<void> {
    return inTrace() ? this.o.signalWorkflow(input, next) : next(input);
  }
  /** The workflow's log lines name the trace they belong to. */
  getLogAttributes(input: GetLogAttributesInput, next: Next<Outbound, 'getLogAttributes'>): Record<string, unknown> {
    return inTrace() ? this.o.getLogAttributes(input, next) : next(input);
  }
}

/** Frees the isolate's OTel context storage when a traced workflow leaves the cache. */
class TracedInternals implements Internals {
  dispose(input: Parameters<NonNullable<Internals['dispose']>>[0], next: Next<Internals, 'dispose'>): void {
    // OTel's own dispose is async only in its signature: it disables the context manager, then
    // calls next, synchronously.
    if (otel) void new otel.wf.OpenTelemetryInternalsInterceptor().dispose(input, next);
    else next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracedInbound()],
  outbound: [new TracedOutbound()],
  internals: [new TracedInternals()],
});

// Workflow interceptors (bundled through `workflowInterceptorModules`, temporal/bundle.ts): the
// OpenTelemetry interceptors of @temporalio/interceptors-opentelemetry, engaged only for calls that
// carry a trace context. The API's client puts one in the headers when tracing is on
// (OTEL_EXPORTER_OTLP_ENDPOINT, observability/tracing.ts); without one (tracing off, and every
// history recorded before tracing existed) each call goes straight on: no span, no sink call, the
// same code path as without interceptors, so a replay takes the path its history took. The OTel
// classes (and the tracer they build in the isolate) are created at the first traced call only.
import { context, trace } from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
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
  WorkflowOutboundCallsInterceptor as Outbound,
} from '@temporalio/workflow';

/** The header the OTel client and workflow interceptors carry the trace context in. */
export const TRACE_HEADER = '_tracer-data';

const carriesTrace = (headers: Headers): boolean => headers[TRACE_HEADER] !== undefined;
/** Inside a traced handler (or a traced run): what the workflow starts from here belongs to its trace. */
const inTrace = (): boolean => trace.getSpan(context.active()) !== undefined;

class TracedInbound implements Inbound {
  private otel?: OpenTelemetryInboundInterceptor;
  private get o(): OpenTelemetryInboundInterceptor {
    return (this.otel ??= new OpenTelemetryInboundInterceptor());
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
  private otel?: OpenTelemetryOutboundInterceptor;
  private get o(): OpenTelemetryOutboundInterceptor {
    return (this.otel ??= new OpenTelemetryOutboundInterceptor());
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

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracedInbound()],
  outbound: [new TracedOutbound()],
  // Frees the isolate's OTel context storage when a workflow leaves the cache (a no-op untraced).
  internals: [new OpenTelemetryInternalsInterceptor()],
});

// The Temporal SDK's runtime for a role process: its logs onto pino, and its own metrics (workflow
// and activity task latencies, slots, sticky cache, poll results: temporal_*) served in Prometheus
// text on TEMPORAL_METRICS_PORT (default 9464 for the worker; unset elsewhere: not served).
import { Runtime } from '@temporalio/worker';
import { sdkLogger, type Logger } from './logger';

export function installRuntime(log: Logger, metricsBind?: string): void {
  Runtime.install({
    // Each role stops itself on SIGTERM/SIGINT, in order; the SDK must not race it to the worker.
    shutdownSignals: [],
    logger: sdkLogger(log),
    ...(metricsBind
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBind }, metricPrefix: 'temporal_' } } }
      : {}),
  });
}

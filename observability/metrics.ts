// Prometheus metrics, named indsatsflow_*. Two kinds:
//  - counted in this process as things happen: events received (by type and answer) and the
//    intake's latency;
//  - read from PostgreSQL when scraped, so that every API process answers the same service-wide
//    figures however many processes raised, delivered or rolled out: escalations raised and resolved, overdue
//    deadlines, the outbox's backlog and failed attempts, rollout progress.
// The Temporal SDK's own worker metrics are served by its runtime on a port of their own
// (observability/runtime.ts).
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const PREFIX = 'indsatsflow_';

export interface ServiceMetrics {
  registry: Registry;
  eventsReceived: Counter<'type' | 'answer'>;
  intakeSeconds: Histogram<'mode'>;
}

/** The answer's word for a status: what a dashboard groups by. */
export function answerOf(status: number, body: unknown): string {
  if (status === 202) return (body as { duplicate?: boolean })?.duplicate ? 'duplicate' : 'accepted';
  if (status === 409 && (body as { error?: unknown })?.error === 'not-yet-granted') return 'not-yet-granted';
  return (
    (
      {
        400: 'invalid',
        404: 'not-found',
        409: 'refused',
        413: 'too-large',
        415: 'unsupported-media-type',
        422: 'unprocessable',
        503: 'unavailable',
      } as Record<number, string | undefined>
    )[status] ?? `status-${status}`
  );
}

/** Process metrics and the in-process counters; `pool` adds the figures read from the database. */
export function createMetrics(opts: { pool?: Pool; process?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (opts.process !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const eventsReceived = new Counter({
    name: `${PREFIX}events_received_total`,
    help: 'CloudEvents received at POST /v1/events, by type and answer (accepted, duplicate, invalid, not-found, refused, not-yet-granted, too-large, unsupported-media-type, unprocessable, unavailable)',
    labelNames: ['type', 'answer'] as const,
    registers: [registry],
  });
  const intakeSeconds = new Histogram({
    name: `${PREFIX}intake_duration_seconds`,
    help: 'Time from receiving POST /v1/events to sending its answer (stored, judged, applied)',
    labelNames: ['mode'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  if (opts.pool) registerDatabaseFigures(registry, opts.pool);
  return { registry, eventsReceived, intakeSeconds };
}

/** Records one POST /v1/events: each event of a batch with its own answer. */
export function recordIntake(m: ServiceMetrics, body: unknown, status: number, answer: unknown, seconds: number): void {
  const events = Array.isArray(body) ? body : [body];
  const answers = Array.isArray(answer) && Array.isArray(body) ? answer : [answer];
  events.forEach((e, i) => {
    const type = typeof (e as { type?: unknown })?.type === 'string' ? (e as { type: string }).type : 'unknown';
    const a = answers[i] as { status?: number } | undefined;
    const s = Array.isArray(body) ? (a?.status ?? status) : status;
    m.eventsReceived.inc({ type: type.length > 80 ? 'unknown' : type, answer: answerOf(s, a) });
  });
  m.intakeSeconds.observe({ mode: Array.isArray(body) ? 'batch' : 'single' }, seconds);
}

function registerDatabaseFigures(registry: Registry, pool: Pool): void {
  const q = async <R extends Record<string, unknown>>(sql: string) => (await pool.query<R>(sql)).rows;
  new Counter({
    name: `${PREFIX}escalations_raised_total`,
    help: 'Escalations raised (one per deadline and level), by municipality and role',
    labelNames: ['municipality', 'role'] as const,
    registers: [registry],
    async collect() {
      const rows = await q<{ municipality: string; role: string; n: number }>(
        'SELECT municipality, role, count(*)::int AS n FROM escalations GROUP BY 1, 2',
      );
      this.reset();
      for (const r of rows) this.inc({ municipality: r.municipality, role: r.role }, r.n);
    },
  });
  new Counter({
    name: `${PREFIX}escalations_resolved_total`,
    help: 'Escalations resolved (their deadline met, cancelled or moved), by municipality, role and resolution (met, met-late, cancelled, superseded)',
    labelNames: ['municipality', 'role', 'resolution'] as const,
    registers: [registry],
    async collect() {
      const rows = await q<{ municipality: string; role: string; resolution: string; n: number }>(
        `SELECT municipality, role, coalesce(resolution, 'unknown') AS resolution, count(*)::int AS n FROM escalations
          WHERE resolved_at IS NOT NULL GROUP BY 1, 2, 3`,
      );
      this.reset();
      for (const r of rows) this.inc({ municipality: r.municipality, role: r.role, resolution: r.resolution }, r.n);
    },
  });
  new Gauge({
    name: `${PREFIX}overdue_deadlines`,
    help: 'Open deadlines past their overdue time, by municipality (from the projection, at scrape time)',
    labelNames: ['municipality'] as const,
    registers: [registry],
    async collect() {
      const rows = await q<{ municipality: string; n: number }>(
        `SELECT m.municipality, count(*)::int AS n FROM deadlines d JOIN measures m USING (municipality, measure_id)
          WHERE d.status = 'pending' AND d.overdue_at <= now() AND m.state <> 'closed' GROUP BY 1`,
      );
      this.reset();
      for (const r of rows) this.set({ municipality: r.municipality }, r.n);
    },
  });
  new Gauge({
    name: `${PREFIX}outbox_backlog`,
    help: 'Notices not yet accepted by the case system (NOTIFY_URL), by kind: escalations raised, and resolved',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const [r] = await q<{ raised: number; resolved: number }>(
        `SELECT count(*) FILTER (WHERE notified_at IS NULL)::int AS raised,
                count(*) FILTER (WHERE resolved_at IS NOT NULL AND resolution_notified_at IS NULL)::int AS resolved
           FROM escalations`,
      );
      this.set({ kind: 'raised' }, r?.raised ?? 0);
      this.set({ kind: 'resolved' }, r?.resolved ?? 0);
    },
  });
  new Counter({
    name: `${PREFIX}outbox_delivery_failures_total`,
    help: 'Failed attempts to deliver a notice (escalation raised or resolved) to the case system',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      // The attempt counters include the one that succeeded.
      const [r] = await q<{ raised: number; resolved: number }>(
        `SELECT coalesce(sum(notify_attempts - (notified_at IS NOT NULL)::int), 0)::int AS raised,
                coalesce(sum(resolution_attempts - (resolution_notified_at IS NOT NULL)::int), 0)::int AS resolved
           FROM escalations`,
      );
      this.reset();
      this.inc({ kind: 'raised' }, r?.raised ?? 0);
      this.inc({ kind: 'resolved' }, r?.resolved ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}rollout_measures`,
    help: 'Policy rollouts of the last 30 days: measures to update (outcome "total") and done, by outcome',
    labelNames: ['rollout', 'municipality', 'status', 'outcome'] as const,
    registers: [registry],
    async collect() {
      const rows = await q<{
        id: string;
        municipality: string;
        status: string;
        total: number | null;
        outcome: string | null;
        n: number;
      }>(
        `SELECT r.id, r.municipality, r.status, r.total, i.outcome, count(i.measure_id)::int AS n
           FROM policy_rollouts r LEFT JOIN policy_rollout_items i ON i.rollout_id = r.id
          WHERE r.created_at > now() - interval '30 days' GROUP BY 1, 2, 3, 4, 5`,
      );
      this.reset();
      for (const r of rows) {
        const base = { rollout: r.id, municipality: r.municipality, status: r.status };
        if (r.total !== null) this.set({ ...base, outcome: 'total' }, r.total);
        if (r.outcome) this.set({ ...base, outcome: r.outcome }, r.n);
      }
    },
  });
}

// Tells the case system about every escalation raised: the person at that level must act. The
// escalations table is the outbox; this loop delivers its undelivered rows as CloudEvents, at least
// once, with backoff when the receiver fails, and never holds up a measure's workflow while the
// case system is down. Several processes may run it: rows are claimed with SKIP LOCKED.
import type { Pool } from 'pg';
import { EscalationRepository, type OutboxRow } from '../db/repositories/escalations';

export interface OutboxOptions {
  /** Where the case system receives notifications (POST, application/cloudevents+json). */
  url: string;
  pollMs?: number;
  batch?: number;
  log?: (line: string) => void;
}

export interface EscalationNotice {
  specversion: '1.0';
  id: string;
  source: 'indsatsflow';
  type: 'indsatsflow.escalation.raised';
  time: string;
  subject: string;
  data: {
    measureId: string;
    municipality: string;
    deadlineId: string;
    deadlineKind: string;
    dueOn: string;
    level: number;
    role: string;
    caseworkerId: string | null;
    teamId: string | null;
  };
}

function noticeOf(r: OutboxRow): EscalationNotice {
  return {
    specversion: '1.0',
    // Stable across redeliveries: the receiver deduplicates by id + source. A measureId is unique
    // only within its municipality, so the id names both.
    id: `escalation/${r.municipality}/${r.measure_id}/${r.deadline_id}/${r.due_on}/${r.level}`,
    source: 'indsatsflow',
    type: 'indsatsflow.escalation.raised',
    time: r.raised_at.toISOString(),
    subject: r.measure_id,
    data: {
      measureId: r.measure_id,
      municipality: r.municipality,
      deadlineId: r.deadline_id,
      deadlineKind: r.deadline_kind,
      dueOn: r.due_on,
      level: r.level,
      role: r.role,
      caseworkerId: r.caseworker_id,
      teamId: r.team_id,
    },
  };
}

/** Backoff after a failed delivery: 5 s, 10 s, 20 s ... capped at 10 minutes. */
const backoffSeconds = (attempts: number) => Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));

/** How long a claimed row is left to one deliverer before another may take it over (a crash). */
const LEASE_SECONDS = 60;

/** Delivers what is due now; returns how many were delivered. Rows are claimed with a lease in one
 *  short statement, so no transaction is held open across the HTTP calls. */
export async function deliverDue(escalations: EscalationRepository, o: OutboxOptions): Promise<number> {
  const rows = await escalations.claimDue(o.batch ?? 20, LEASE_SECONDS);
  let delivered = 0;
  for (const r of rows) {
    const error = await post(o.url, noticeOf(r));
    if (error === null) {
      await escalations.delivered(r.id);
      delivered++;
      continue;
    }
    const attempts = r.notify_attempts + 1;
    await escalations.deliveryFailed(r.id, attempts, error, backoffSeconds(attempts));
    // Identifiers only in the log: the row id, never names or case content.
    o.log?.(
      `escalation ${r.id}: delivery failed (${error}); attempt ${attempts}, next in ${backoffSeconds(attempts)} s`,
    );
  }
  return delivered;
}

async function post(url: string, notice: EscalationNotice): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(notice),
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Polls until stopped. */
export function startOutbox(pool: Pool, o: OutboxOptions): { stop(): Promise<void> } {
  const escalations = new EscalationRepository(pool);
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        const n = await deliverDue(escalations, o);
        if (n > 0) continue; // more may be waiting
      } catch (err) {
        o.log?.(`outbox: ${(err as Error).message}`);
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, o.pollMs ?? 2_000);
      });
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

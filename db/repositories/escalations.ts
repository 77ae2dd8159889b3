// The escalations table: one row per measure, deadline, due date and level (raised by the
// workflows' activity), read by the API, and the outbox the notification loop delivers from.
import type { Pool } from 'pg';
import type { EscalationInput } from '../../activities/types';
import type { Scope } from './measures';

export interface EscalationFilter {
  /** Only these municipalities (the caller's); '*' for all. */
  scope: Scope;
  municipality?: string;
  measureId?: string;
  level?: number;
  limit: number;
  offset: number;
}

/** An undelivered escalation, as the outbox claims it. */
export interface OutboxRow {
  id: string;
  measure_id: string;
  municipality: string;
  deadline_id: string;
  deadline_kind: string;
  due_on: string;
  level: number;
  role: string;
  caseworker_id: string | null;
  team_id: string | null;
  raised_at: Date;
  notify_attempts: number;
}

export class EscalationRepository {
  constructor(private readonly pool: Pool) {}

  /** Idempotent by (measure, deadline, due date, level): a retried or replayed activity inserts
   *  nothing the second time. */
  async raise(e: EscalationInput): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO escalations (measure_id, workflow_id, municipality, deadline_id, deadline_kind, due_on, level, role,
                                caseworker_id, team_id, raised_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT (municipality, measure_id, deadline_id, due_on, level) DO NOTHING`,
      [
        e.measureId,
        e.workflowId,
        e.municipality,
        e.deadlineId,
        e.deadlineKind,
        e.dueOn,
        e.level,
        e.role,
        e.caseworkerId,
        e.teamId,
        e.raisedAt,
      ],
    );
    return res.rowCount === 1;
  }

  async list(f: EscalationFilter) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.scope !== '*') where.push(`municipality = ANY($${args.push(f.scope)})`);
    if (f.municipality) where.push(`municipality = $${args.push(f.municipality)}`);
    if (f.measureId) where.push(`measure_id = $${args.push(f.measureId)}`);
    if (f.level !== undefined) where.push(`level = $${args.push(f.level)}`);
    const res = await this.pool.query(
      `SELECT measure_id, municipality, deadline_id, deadline_kind, due_on, level, role, raised_at, caseworker_id, team_id, notified_at
         FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY raised_at, id LIMIT $${args.push(f.limit)} OFFSET $${args.push(f.offset)}`,
      args,
    );
    return res.rows.map((r) => ({
      measureId: r.measure_id as string,
      municipality: r.municipality as string,
      deadlineId: r.deadline_id as string,
      deadlineKind: r.deadline_kind as string,
      dueOn: r.due_on as string,
      level: r.level as number,
      role: r.role as string,
      raisedAt: (r.raised_at as Date).toISOString(),
      caseworkerId: r.caseworker_id as string | null,
      teamId: r.team_id as string | null,
      /** When the case system accepted the notification (null: not yet, or no NOTIFY_URL). */
      notifiedAt: r.notified_at ? (r.notified_at as Date).toISOString() : null,
    }));
  }

  /** Claims up to `batch` undelivered rows that are due, with a lease of `leaseSeconds`, in one
   *  short statement (SKIP LOCKED: several deliverers may run). Oldest first. */
  async claimDue(batch: number, leaseSeconds: number): Promise<OutboxRow[]> {
    const res = await this.pool.query<OutboxRow>(
      `UPDATE escalations SET next_attempt_at = now() + make_interval(secs => ${Number(leaseSeconds)})
        WHERE id IN (SELECT id FROM escalations WHERE notified_at IS NULL AND next_attempt_at <= now()
                      ORDER BY raised_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [batch],
    );
    return res.rows.sort((a, b) => a.raised_at.getTime() - b.raised_at.getTime() || Number(a.id) - Number(b.id));
  }

  async delivered(id: string): Promise<void> {
    await this.pool.query(
      'UPDATE escalations SET notified_at = now(), notify_attempts = notify_attempts + 1, notify_error = NULL WHERE id = $1',
      [id],
    );
  }

  async deliveryFailed(id: string, attempts: number, error: string, retryInSeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE escalations SET notify_attempts = $2, notify_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
      [id, attempts, error.slice(0, 500), retryInSeconds],
    );
  }
}

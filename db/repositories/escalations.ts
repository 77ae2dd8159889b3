// The escalations table: one row per measure, deadline and level (raised by the workflows'
// activity, resolved when the deadline ends), read by the API, and the outbox the notification
// loop delivers from: each escalation when raised, and again when resolved.
import type { Pool } from 'pg';
import type { EscalationInput } from '../../activities/types';
import type { Resolution } from '../../machines/escalations';
import { decodeCursor, encodeCursor, InvalidCursor } from './cursor';
import type { Scope } from './measures';

export interface EscalationFilter {
  /** Only these municipalities (the caller's); '*' for all. */
  scope: Scope;
  municipality?: string;
  measureId?: string;
  level?: number;
  /** true: not yet resolved; false: resolved. */
  open?: boolean;
  limit: number;
  /** Opaque: the `next` of the page before. */
  cursor?: string;
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
  resolved_at: Date | null;
  resolution: Resolution | null;
  resolution_attempts: number;
}

/** The two notices of one escalation row: that it was raised, and that it ended. */
export type NoticeKind = 'raised' | 'resolved';

export class EscalationRepository {
  constructor(private readonly pool: Pool) {}

  /** Idempotent by (municipality, measure, deadline, level): a retried or replayed activity inserts nothing the
   *  second time. */
  async raise(e: EscalationInput): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO escalations (measure_id, workflow_id, municipality, deadline_id, deadline_kind, due_on, level, role,
                                caseworker_id, team_id, raised_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       ON CONFLICT DO NOTHING`,
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

  /** Resolves the still open rows of one ladder (its deadline ids); returns how many. */
  async resolve(
    municipality: string,
    measureId: string,
    deadlineIds: string[],
    resolution: Resolution,
    at: string,
  ): Promise<number> {
    const res = await this.pool.query(
      `UPDATE escalations SET resolved_at = $4, resolution = $3, resolution_next_attempt_at = now()
        WHERE municipality = $5 AND measure_id = $1 AND deadline_id = ANY($2) AND resolved_at IS NULL`,
      [measureId, deadlineIds, resolution, at, municipality],
    );
    return res.rowCount ?? 0;
  }

  /** A page in the order raised, and the cursor of the next (null on the last page). */
  async list(f: EscalationFilter) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.scope !== '*') where.push(`municipality = ANY($${args.push(f.scope)})`);
    if (f.municipality) where.push(`municipality = $${args.push(f.municipality)}`);
    if (f.measureId) where.push(`measure_id = $${args.push(f.measureId)}`);
    if (f.level !== undefined) where.push(`level = $${args.push(f.level)}`);
    if (f.open !== undefined) where.push(f.open ? 'resolved_at IS NULL' : 'resolved_at IS NOT NULL');
    if (f.cursor !== undefined) {
      const after = decodeCursor(f.cursor, 'escalations');
      if (!/^\d{1,18}$/.test(after)) throw new InvalidCursor();
      where.push(`(raised_at, id) > (SELECT raised_at, id FROM escalations WHERE id = $${args.push(after)})`);
    }
    const res = await this.pool.query(
      `SELECT id, measure_id, municipality, deadline_id, deadline_kind, due_on, level, role, raised_at, caseworker_id,
              team_id, notified_at, resolved_at, resolution
         FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY raised_at, id LIMIT $${args.push(f.limit + 1)}`,
      args,
    );
    const rows = res.rows.slice(0, f.limit);
    const more = res.rows.length > f.limit;
    const items = rows.map((r) => ({
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
      /** When the deadline behind it ended (null: still open), and how. */
      resolvedAt: r.resolved_at ? (r.resolved_at as Date).toISOString() : null,
      resolution: (r.resolution as Resolution | null) ?? null,
    }));
    const last = rows[rows.length - 1];
    return { items, next: more && last ? encodeCursor('escalations', String(last.id)) : null };
  }

  /** Claims up to `batch` rows whose notice of `kind` is undelivered and due, with a lease of
   *  `leaseSeconds`, in one short statement (SKIP LOCKED: several deliverers may run). Oldest first.
   *  The scope is one receiver's: its municipalities, and with `others` every municipality not in
   *  `routedElsewhere`. A resolution is claimed only once its escalation was delivered, so that the
   *  case system hears of an escalation before it hears that it ended. */
  async claimDue(
    kind: NoticeKind,
    batch: number,
    leaseSeconds: number,
    scope: { municipalities: string[]; others: boolean; routedElsewhere: string[] },
  ): Promise<OutboxRow[]> {
    const where = scope.others
      ? 'AND (municipality = ANY($3::text[]) OR NOT (municipality = ANY($4::text[])))'
      : 'AND municipality = ANY($3::text[])';
    const params: unknown[] = [batch, leaseSeconds, scope.municipalities];
    if (scope.others) params.push(scope.routedElsewhere);
    const due =
      kind === 'raised'
        ? 'notified_at IS NULL AND next_attempt_at <= now()'
        : `resolved_at IS NOT NULL AND resolution_notified_at IS NULL AND notified_at IS NOT NULL
           AND resolution_next_attempt_at <= now()`;
    const lease = kind === 'raised' ? 'next_attempt_at' : 'resolution_next_attempt_at';
    const order = kind === 'raised' ? 'raised_at' : 'resolved_at';
    const res = await this.pool.query<OutboxRow>(
      `UPDATE escalations SET ${lease} = now() + make_interval(secs => $2)
        WHERE id IN (SELECT id FROM escalations WHERE ${due} ${where}
                      ORDER BY ${order}, id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      params,
    );
    const at = (r: OutboxRow) => (kind === 'raised' ? r.raised_at : r.resolved_at!).getTime();
    return res.rows.sort((a, b) => at(a) - at(b) || Number(a.id) - Number(b.id));
  }

  /** Not delivered and not failed (the deliverer is stopping): free for the next run at once. */
  async release(kind: NoticeKind, id: string): Promise<void> {
    await this.pool.query(
      kind === 'raised'
        ? 'UPDATE escalations SET next_attempt_at = now() WHERE id = $1 AND notified_at IS NULL'
        : 'UPDATE escalations SET resolution_next_attempt_at = now() WHERE id = $1 AND resolution_notified_at IS NULL',
      [id],
    );
  }

  async resolutionDelivered(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE escalations SET resolution_notified_at = now(), resolution_attempts = resolution_attempts + 1,
              resolution_error = NULL WHERE id = $1`,
      [id],
    );
  }

  async resolutionFailed(id: string, attempts: number, error: string, retryInSeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE escalations SET resolution_attempts = $2, resolution_error = $3,
              resolution_next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
      [id, attempts, error.slice(0, 500), retryInSeconds],
    );
  }

  async delivered(id: string): Promise<void> {
    await this.pool.query(
      'UPDATE escalations SET notified_at = now(), notify_attempts = notify_attempts + 1, notify_error = NULL WHERE id = $1',
      [id],
    );
  }

  /** `notified_at IS NULL`: a late failure never undoes a success recorded meanwhile. */
  async deliveryFailed(id: string, attempts: number, error: string, retryInSeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE escalations SET notify_attempts = $2, notify_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1 AND notified_at IS NULL`,
      [id, attempts, error.slice(0, 500), retryInSeconds],
    );
  }
}

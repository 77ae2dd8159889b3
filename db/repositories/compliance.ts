// The compliance figures and the overview's lists, read from the measures/deadlines projection.
// Everything is counted in SQL: the figures must stay cheap on a whole municipality's history.
//
// A deadline counts in the window its due date falls in, once it has an outcome:
//   met on time  met on or before its due date
//   met late     met after it
//   overdue      still open after its overdue instant, or cancelled by a closure after its due
//                date (a closure does not erase a deadline already missed)
//   cancelled    cancelled by a closure on or before its due date
// A deadline still open and not yet overdue has no outcome and is not counted yet.
import type { Pool } from 'pg';

export type ComplianceGroupBy = 'team' | 'caseworker' | 'measureType' | 'month';

export interface ComplianceScope {
  municipality?: string;
  /** Only these municipalities (the caller's); absent: every one. */
  municipalities?: readonly string[];
  teamId?: string;
  caseworkerId?: string;
  measureType?: string;
}

export interface ComplianceWindow extends ComplianceScope {
  /** Danish dates, both inclusive. */
  from: string;
  to: string;
  groupBy?: ComplianceGroupBy;
}

export interface DeadlineCounts {
  due: number;
  metOnTime: number;
  metLate: number;
  overdue: number;
  cancelled: number;
  /** metOnTime / (due - cancelled); null when nothing counts. */
  onTimeRate: number | null;
}

export interface StatutoryCounts {
  due: number;
  metOnTime: number;
  metLate: number;
  overdue: number;
  /** metOnTime / due; null when nothing counts. */
  onTimeRate: number | null;
}

export interface ComplianceRow {
  /** The group's team, caseworker, measure type or month (YYYY-MM); null when not set. */
  key: string | null;
  deadlines: DeadlineCounts;
  statutoryFirstFollowUp: StatutoryCounts;
  /** The median of days between due and met, over the deadlines met late. */
  medianDaysLate: number | null;
}

export interface OpenDeadline {
  measureId: string;
  workflowId: string;
  measureType: string;
  deadlineId: string;
  kind: string;
  dueOn: string;
  escalationLevel: number;
  caseworkerId: string | null;
  teamId: string | null;
}

export interface OverdueDeadline extends OpenDeadline {
  daysOverdue: number;
}

const KEY: Record<ComplianceGroupBy | 'all', (due: string) => string> = {
  all: () => `'all'`,
  team: () => 'm.team_id',
  caseworker: () => 'm.caseworker_id',
  measureType: () => 'm.measure_type',
  month: (due) => `to_char(${due}, 'YYYY-MM')`,
};

/** Positional parameters and the WHERE clauses over `measures m` that use them. */
class Where {
  readonly args: unknown[] = [];
  readonly clauses: string[] = [];
  arg(v: unknown): string {
    this.args.push(v);
    return `$${this.args.length}`;
  }
  add(clause: (p: string) => string, v: unknown): this {
    if (v !== undefined) this.clauses.push(clause(this.arg(v)));
    return this;
  }
  scope(s: ComplianceScope): this {
    return this.add((p) => `m.municipality = ${p}`, s.municipality)
      .add((p) => `m.municipality = ANY(${p})`, s.municipalities)
      .add((p) => `m.team_id = ${p}`, s.teamId)
      .add((p) => `m.caseworker_id = ${p}`, s.caseworkerId)
      .add((p) => `m.measure_type = ${p}`, s.measureType);
  }
  sql(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'true';
  }
}

const int = (v: unknown) => Number(v ?? 0);
const rate = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export class ComplianceRepository {
  constructor(private readonly pool: Pool) {}

  /** The figures per group; `now` decides what is overdue (the time of the request). */
  async figures(w: ComplianceWindow, now: Date): Promise<ComplianceRow[]> {
    const [deadlines, statutory] = await Promise.all([this.deadlineCounts(w, now), this.statutoryCounts(w, now)]);
    const keys = new Set([...deadlines.keys(), ...statutory.keys()]);
    const none: DeadlineCounts = { due: 0, metOnTime: 0, metLate: 0, overdue: 0, cancelled: 0, onTimeRate: null };
    const noStatutory: StatutoryCounts = { due: 0, metOnTime: 0, metLate: 0, overdue: 0, onTimeRate: null };
    return [...keys].map((key) => {
      const d = deadlines.get(key);
      return {
        key,
        deadlines: d?.counts ?? none,
        statutoryFirstFollowUp: statutory.get(key) ?? noStatutory,
        medianDaysLate: d?.medianDaysLate ?? null,
      };
    });
  }

  private async deadlineCounts(w: ComplianceWindow, now: Date) {
    const q = new Where().scope(w);
    const from = q.arg(w.from);
    const to = q.arg(w.to);
    const at = q.arg(now);
    const res = await this.pool.query(
      `WITH x AS (
         SELECT ${KEY[w.groupBy ?? 'all']('d.due_on')} AS key,
                CASE
                  WHEN d.status = 'met' AND d.met_on <= d.due_on THEN 'on-time'
                  WHEN d.status = 'met' THEN 'late'
                  WHEN d.status = 'cancelled' AND m.closed_on > d.due_on THEN 'overdue'
                  WHEN d.status = 'cancelled' THEN 'cancelled'
                  WHEN d.overdue_at <= ${at} THEN 'overdue'
                END AS outcome,
                CASE WHEN d.status = 'met' AND d.met_on > d.due_on THEN d.met_on - d.due_on END AS days_late
           FROM deadlines d JOIN measures m ON m.municipality = d.municipality AND m.measure_id = d.measure_id
          WHERE d.due_on BETWEEN ${from} AND ${to} AND ${q.sql()})
       SELECT key,
              count(outcome) AS due,
              count(*) FILTER (WHERE outcome = 'on-time') AS met_on_time,
              count(*) FILTER (WHERE outcome = 'late') AS met_late,
              count(*) FILTER (WHERE outcome = 'overdue') AS overdue,
              count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
              count(*) FILTER (WHERE outcome = 'on-time')::float8
                / nullif(count(outcome) - count(*) FILTER (WHERE outcome = 'cancelled'), 0) AS on_time_rate,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY days_late) AS median_days_late
         FROM x GROUP BY key HAVING count(outcome) > 0`,
      q.args,
    );
    return new Map(
      res.rows.map((r) => [
        r.key as string | null,
        {
          counts: {
            due: int(r.due),
            metOnTime: int(r.met_on_time),
            metLate: int(r.met_late),
            overdue: int(r.overdue),
            cancelled: int(r.cancelled),
            onTimeRate: rate(r.on_time_rate),
          },
          medianDaysLate: r.median_days_late === null ? null : Number(r.median_days_late),
        },
      ]),
    );
  }

  /** Barnets Lov § 95: each covered measure once, due 3 months after its start (the same
   *  month-end clamping as the machine's calendar: 30 November + 3 months = 28 February), met by
   *  its first follow-up that counts. A measure closed by then without one owed none. */
  private async statutoryCounts(w: ComplianceWindow, now: Date) {
    const q = new Where().scope(w);
    const from = q.arg(w.from);
    const to = q.arg(w.to);
    const at = q.arg(now);
    const res = await this.pool.query(
      `WITH s AS (
         SELECT m.*, (m.start_on + interval '3 months')::date AS statutory_due
           FROM measures m
          WHERE m.statutory_follow_up AND m.start_on IS NOT NULL AND ${q.sql()}
       ), x AS (
         SELECT ${KEY[w.groupBy ?? 'all']('m.statutory_due')} AS key,
                CASE
                  WHEN f.status = 'met' AND f.met_on <= m.statutory_due THEN 'on-time'
                  WHEN f.status = 'met' THEN 'late'
                  WHEN m.closed_on <= m.statutory_due THEN NULL
                  WHEN m.statutory_due < (${at}::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date THEN 'overdue'
                END AS outcome
           FROM s AS m LEFT JOIN deadlines f ON f.municipality = m.municipality AND f.measure_id = m.measure_id AND f.deadline_id = 'first-follow-up'
          WHERE m.statutory_due BETWEEN ${from} AND ${to})
       SELECT key,
              count(outcome) AS due,
              count(*) FILTER (WHERE outcome = 'on-time') AS met_on_time,
              count(*) FILTER (WHERE outcome = 'late') AS met_late,
              count(*) FILTER (WHERE outcome = 'overdue') AS overdue,
              count(*) FILTER (WHERE outcome = 'on-time')::float8 / nullif(count(outcome), 0) AS on_time_rate
         FROM x GROUP BY key HAVING count(outcome) > 0`,
      q.args,
    );
    return new Map(
      res.rows.map((r) => [
        r.key as string | null,
        {
          due: int(r.due),
          metOnTime: int(r.met_on_time),
          metLate: int(r.met_late),
          overdue: int(r.overdue),
          onTimeRate: rate(r.on_time_rate),
        },
      ]),
    );
  }

  /** Open deadlines past their overdue instant, most overdue first. */
  async overdue(s: ComplianceScope, now: Date, limit = 1000): Promise<OverdueDeadline[]> {
    const q = new Where().scope(s);
    const at = q.arg(now);
    const lim = q.arg(limit);
    const res = await this.pool.query(
      `SELECT ${OPEN_COLUMNS},
              (${at}::timestamptz AT TIME ZONE 'Europe/Copenhagen')::date - d.due_on AS days_overdue
         FROM deadlines d JOIN measures m ON m.municipality = d.municipality AND m.measure_id = d.measure_id
        WHERE d.status = 'pending' AND d.overdue_at <= ${at} AND ${q.sql()}
        ORDER BY d.overdue_at, d.due_on, m.measure_id, d.deadline_id
        LIMIT ${lim}`,
      q.args,
    );
    return res.rows.map((r) => ({ ...openDeadline(r), daysOverdue: int(r.days_overdue) }));
  }

  /** Open deadlines not yet overdue that fall due from `from` to `to` (Danish dates). */
  async upcoming(s: ComplianceScope, from: string, to: string, now: Date, limit = 1000): Promise<OpenDeadline[]> {
    const q = new Where().scope(s);
    const f = q.arg(from);
    const t = q.arg(to);
    const at = q.arg(now);
    const lim = q.arg(limit);
    const res = await this.pool.query(
      `SELECT ${OPEN_COLUMNS}
         FROM deadlines d JOIN measures m ON m.municipality = d.municipality AND m.measure_id = d.measure_id
        WHERE d.status = 'pending' AND d.overdue_at > ${at} AND d.due_on BETWEEN ${f} AND ${t} AND ${q.sql()}
        ORDER BY m.caseworker_id NULLS LAST, d.due_at, m.measure_id, d.deadline_id
        LIMIT ${lim}`,
      q.args,
    );
    return res.rows.map(openDeadline);
  }

  /** Overdue deadlines that have been escalated at least once and are still open, by the
   *  highest level reached. */
  async openEscalations(s: ComplianceScope): Promise<{ total: number; byLevel: Record<number, number> }> {
    const q = new Where().scope(s);
    const res = await this.pool.query(
      `SELECT d.escalation_level AS level, count(*) AS n
         FROM deadlines d JOIN measures m ON m.municipality = d.municipality AND m.measure_id = d.measure_id
        WHERE d.status = 'pending' AND d.escalation_level > 0 AND ${q.sql()}
        GROUP BY d.escalation_level`,
      q.args,
    );
    const byLevel: Record<number, number> = {};
    for (const r of res.rows) byLevel[int(r.level)] = int(r.n);
    return { total: Object.values(byLevel).reduce((a, b) => a + b, 0), byLevel };
  }

  /** The teams that have measures in a municipality: the overview's team filter. */
  async teams(municipality: string): Promise<string[]> {
    const res = await this.pool.query(
      'SELECT DISTINCT team_id FROM measures WHERE municipality = $1 AND team_id IS NOT NULL ORDER BY team_id',
      [municipality],
    );
    return res.rows.map((r) => r.team_id as string);
  }
}

const OPEN_COLUMNS = `m.measure_id, m.workflow_id, m.measure_type, m.caseworker_id, m.team_id,
       d.deadline_id, d.kind, d.due_on, d.escalation_level`;

/** The row OPEN_COLUMNS selects, as pg returns it. */
interface OpenRow {
  measure_id: string;
  workflow_id: string;
  measure_type: string;
  caseworker_id: string | null;
  team_id: string | null;
  deadline_id: string;
  kind: string;
  due_on: string;
  escalation_level: unknown;
}

function openDeadline(r: OpenRow): OpenDeadline {
  return {
    measureId: r.measure_id,
    workflowId: r.workflow_id,
    measureType: r.measure_type,
    deadlineId: r.deadline_id,
    kind: r.kind,
    dueOn: r.due_on,
    escalationLevel: int(r.escalation_level),
    caseworkerId: r.caseworker_id,
    teamId: r.team_id,
  };
}

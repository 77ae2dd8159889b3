// Reads of the projection. A deadline's "overdue" is computed at read time from its overdue
// instant, so the answer is right to the minute even between the workflow's writes.
import type { Pool } from 'pg';

const STATUS = `CASE WHEN d.status = 'pending' AND d.overdue_at <= now() THEN 'overdue' ELSE d.status END`;

export interface MeasureFilter {
  municipality?: string;
  state?: string;
  overdue?: boolean;
  caseworkerId?: string;
  teamId?: string;
  limit: number;
  offset: number;
}

export async function getMeasure(pool: Pool, measureId: string) {
  const m = await pool.query('SELECT * FROM measures WHERE measure_id = $1', [measureId]);
  const row = m.rows[0];
  if (!row) return undefined;
  const d = await pool.query(
    `SELECT d.*, ${STATUS} AS shown_status FROM deadlines d WHERE d.measure_id = $1 ORDER BY d.due_at, d.deadline_id`,
    [measureId],
  );
  return {
    measureId: row.measure_id,
    municipality: row.municipality,
    measureType: row.measure_type,
    package: row.package,
    state: row.state,
    policyVersion: row.policy_version,
    caseId: row.case_id,
    caseworkerId: row.caseworker_id,
    teamId: row.team_id,
    deadlines: d.rows.map((r) => ({
      id: r.deadline_id,
      kind: r.kind,
      ...(r.name ? { name: r.name } : {}),
      ...(r.expected_from ? { expectedFrom: r.expected_from } : {}),
      dueOn: r.due_on,
      status: r.shown_status,
      ...(r.met_on ? { metOn: r.met_on } : {}),
      escalationLevel: r.escalation_level,
      basis: r.basis,
      strength: r.strength,
      source: r.source,
      ...(r.also_required_by ? { alsoRequiredBy: r.also_required_by } : {}),
      ...(r.approved_by ? { approvedBy: r.approved_by } : {}),
    })),
    history: row.history,
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listMeasures(pool: Pool, f: MeasureFilter) {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    args.push(v);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (f.municipality) add('m.municipality = ?', f.municipality);
  if (f.state) add('m.state = ?', f.state);
  if (f.caseworkerId) add('m.caseworker_id = ?', f.caseworkerId);
  if (f.teamId) add('m.team_id = ?', f.teamId);
  const overdue = `EXISTS (SELECT 1 FROM deadlines d WHERE d.measure_id = m.measure_id AND d.status = 'pending' AND d.overdue_at <= now())`;
  if (f.overdue === true) where.push(overdue);
  if (f.overdue === false) where.push(`NOT ${overdue}`);
  args.push(f.limit, f.offset);
  const res = await pool.query(
    `SELECT m.measure_id, m.municipality, m.measure_type, m.package, m.state, m.policy_version, m.caseworker_id, m.team_id,
            ${overdue} AS overdue,
            (SELECT json_build_object('kind', d.kind, 'dueOn', d.due_on, 'status', ${STATUS}, 'escalationLevel', d.escalation_level)
               FROM deadlines d WHERE d.measure_id = m.measure_id AND d.status = 'pending' ORDER BY d.due_at LIMIT 1) AS next_deadline
       FROM measures m
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY m.measure_id
      LIMIT $${args.length - 1} OFFSET $${args.length}`,
    args,
  );
  return res.rows.map((r) => ({
    measureId: r.measure_id,
    municipality: r.municipality,
    measureType: r.measure_type,
    package: r.package,
    state: r.state,
    policyVersion: r.policy_version,
    caseworkerId: r.caseworker_id,
    teamId: r.team_id,
    overdue: r.overdue,
    nextDeadline: r.next_deadline,
  }));
}

export interface EscalationFilter {
  municipality?: string;
  measureId?: string;
  level?: number;
  limit: number;
  offset: number;
}

export async function listEscalations(pool: Pool, f: EscalationFilter) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.municipality) where.push(`municipality = $${args.push(f.municipality)}`);
  if (f.measureId) where.push(`measure_id = $${args.push(f.measureId)}`);
  if (f.level !== undefined) where.push(`level = $${args.push(f.level)}`);
  const res = await pool.query(
    `SELECT measure_id, deadline_id, deadline_kind, due_on, level, role, raised_at, caseworker_id, team_id, notified_at
       FROM escalations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY raised_at, id LIMIT $${args.push(f.limit)} OFFSET $${args.push(f.offset)}`,
    args,
  );
  return res.rows.map((r) => ({
    measureId: r.measure_id,
    deadlineId: r.deadline_id,
    deadlineKind: r.deadline_kind,
    dueOn: r.due_on,
    level: r.level,
    role: r.role,
    raisedAt: r.raised_at.toISOString(),
    caseworkerId: r.caseworker_id,
    teamId: r.team_id,
    /** When the case system accepted the notification (null: not yet, or no NOTIFY_URL). */
    notifiedAt: r.notified_at ? r.notified_at.toISOString() : null,
  }));
}

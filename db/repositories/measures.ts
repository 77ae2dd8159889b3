// The measures projection: written by the workflows' activities (a versioned upsert with the
// machine state beside it), read by the API. A deadline's "overdue" is computed at read time from
// its overdue instant, so the answer is right to the minute even between the workflow's writes.
import type { Pool } from 'pg';
import type { MachineState } from '../../activities/types';
import type { Deadline } from '../../machines/deadlines';
import type { RuleSource } from '../../policies/types';
import type { HistoryEntry } from '../../machines/history';
import type { MeasureView } from '../../machines/measure-view';
import { decodeCursor, encodeCursor } from './cursor';

const STATUS = `CASE WHEN d.status = 'pending' AND d.overdue_at <= now() THEN 'overdue' ELSE d.status END`;
const OVERDUE = `EXISTS (SELECT 1 FROM deadlines d WHERE d.municipality = m.municipality AND d.measure_id = m.measure_id AND d.status = 'pending' AND d.overdue_at <= now())`;

/** The municipalities a caller may see: every one ('*'), or these. */
export type Scope = '*' | readonly string[];

export interface MeasureFilter {
  /** Only these municipalities (the caller's); '*' for all. */
  scope: Scope;
  municipality?: string;
  state?: string;
  overdue?: boolean;
  caseworkerId?: string;
  teamId?: string;
  limit: number;
  /** Opaque: the `next` of the page before. */
  cursor?: string;
}

export class MeasureRepository {
  constructor(private readonly pool: Pool) {}

  /** Where the intake finds a granted measure among the caller's municipalities: its workflow and
   *  state, once per municipality that has a measure of this id. */
  async registrations(
    scope: Scope,
    measureId: string,
  ): Promise<{ municipality: string; workflowId: string; state: string }[]> {
    const r = await this.pool.query<{ municipality: string; workflow_id: string; state: string }>(
      `SELECT municipality, workflow_id, state FROM measures
        WHERE measure_id = $1 AND ($2::text[] IS NULL OR municipality = ANY($2)) ORDER BY municipality`,
      [measureId, scope === '*' ? null : scope],
    );
    return r.rows.map((x) => ({ municipality: x.municipality, workflowId: x.workflow_id, state: x.state }));
  }

  /** One measure with its deadlines and history, as GET /v1/municipalities/{m}/measures/{id} answers. */
  async find(municipality: string, measureId: string) {
    const m = await this.pool.query('SELECT * FROM measures WHERE municipality = $1 AND measure_id = $2', [
      municipality,
      measureId,
    ]);
    const row = m.rows[0];
    if (!row) return undefined;
    const d = await this.pool.query(
      `SELECT d.*, ${STATUS} AS shown_status FROM deadlines d WHERE d.municipality = $1 AND d.measure_id = $2
        ORDER BY d.due_at, d.deadline_id`,
      [municipality, measureId],
    );
    return {
      measureId: row.measure_id as string,
      municipality: row.municipality as string,
      measureType: row.measure_type as string,
      package: row.package as string | null,
      state: row.state as string,
      policyVersion: row.policy_version as number,
      caseId: row.case_id as string | null,
      caseworkerId: row.caseworker_id as string | null,
      teamId: row.team_id as string | null,
      deadlines: d.rows.map((r) => ({
        id: r.deadline_id as string,
        kind: r.kind as string,
        ...(r.name ? { name: r.name as string } : {}),
        ...(r.expected_from ? { expectedFrom: r.expected_from as string } : {}),
        dueOn: r.due_on as string,
        status: r.shown_status as string,
        ...(r.met_on ? { metOn: r.met_on as string } : {}),
        ...(r.status === 'met' && r.late !== null ? { late: r.late as boolean } : {}),
        escalationLevel: r.escalation_level as number,
        basis: r.basis as string,
        strength: r.strength as string,
        source: r.source as RuleSource,
        ...(r.also_required_by
          ? { alsoRequiredBy: r.also_required_by as NonNullable<Deadline['alsoRequiredBy']> }
          : {}),
        ...(r.approved_by ? { approvedBy: r.approved_by as string } : {}),
      })),
      history: row.history as HistoryEntry[],
      updatedAt: (row.updated_at as Date).toISOString(),
    };
  }

  /** A page in measureId order, and the cursor of the next (null on the last page). */
  async list(f: MeasureFilter) {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (f.scope !== '*') add('m.municipality = ANY(?)', f.scope);
    if (f.municipality) add('m.municipality = ?', f.municipality);
    if (f.state) add('m.state = ?', f.state);
    if (f.caseworkerId) add('m.caseworker_id = ?', f.caseworkerId);
    if (f.teamId) add('m.team_id = ?', f.teamId);
    if (f.overdue === true) where.push(OVERDUE);
    if (f.overdue === false) where.push(`NOT ${OVERDUE}`);
    if (f.cursor !== undefined) {
      // The key is (measureId, municipality): one measureId may exist in two municipalities.
      const [id, municipality = ''] = decodeCursor(f.cursor, 'measures').split('\n');
      args.push(id, municipality);
      where.push(`(m.measure_id, m.municipality) > ($${args.length - 1}, $${args.length})`);
    }
    args.push(f.limit + 1);
    const res = await this.pool.query(
      `SELECT m.measure_id, m.municipality, m.measure_type, m.package, m.state, m.policy_version, m.caseworker_id, m.team_id,
              ${OVERDUE} AS overdue,
              (SELECT json_build_object('kind', d.kind, 'dueOn', d.due_on, 'status', ${STATUS}, 'escalationLevel', d.escalation_level)
                 FROM deadlines d WHERE d.municipality = m.municipality AND d.measure_id = m.measure_id AND d.status = 'pending'
                 ORDER BY d.due_at LIMIT 1) AS next_deadline
         FROM measures m
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY m.measure_id, m.municipality
        LIMIT $${args.length}`,
      args,
    );
    const rows = res.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    const next =
      res.rows.length > f.limit && last
        ? encodeCursor('measures', `${last.measure_id as string}\n${last.municipality as string}`)
        : null;
    const items = rows.map((r) => ({
      measureId: r.measure_id as string,
      municipality: r.municipality as string,
      measureType: r.measure_type as string,
      package: r.package as string | null,
      state: r.state as string,
      policyVersion: r.policy_version as number,
      caseworkerId: r.caseworker_id as string | null,
      teamId: r.team_id as string | null,
      overdue: r.overdue as boolean,
      nextDeadline: r.next_deadline as { kind: string; dueOn: string; status: string; escalationLevel: number } | null,
    }));
    return { items, next };
  }

  /** The view, its deadlines and (when given) the machine state a preview simulates from, in one
   *  statement: atomic without a transaction, and one round trip per projection where it was
   *  four plus one per deadline. A versioned upsert: an older revision arriving late (a retried
   *  activity, interleaved writers) writes nothing, deadlines included. The child's birth date
   *  never leaves the workflow: a preview that needs it asks the workflow (`hasBirthDate`). */
  async project(v: MeasureView, machine?: MachineState): Promise<void> {
    // Deadlines upserted and the rest deleted (not all deleted and inserted again): a deleted key
    // inserted again in the same statement would meet its own old row in the unique index.
    await this.pool.query(
      `WITH m AS (
         INSERT INTO measures (measure_id, workflow_id, municipality, measure_type, package, state, policy_version,
                               case_id, caseworker_id, team_id, revision, history, updated_at,
                               start_on, closed_on, statutory_follow_up, snapshot, snapshot_revision)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, now(), $13, $14, $15, $16::jsonb,
                 CASE WHEN $16::jsonb IS NULL THEN NULL ELSE $11::bigint END)
         ON CONFLICT (municipality, measure_id) DO UPDATE SET
           workflow_id = excluded.workflow_id, package = excluded.package, state = excluded.state,
           policy_version = excluded.policy_version, caseworker_id = excluded.caseworker_id, team_id = excluded.team_id,
           revision = excluded.revision, history = excluded.history, updated_at = now(),
           start_on = excluded.start_on, closed_on = excluded.closed_on, statutory_follow_up = excluded.statutory_follow_up,
           snapshot = COALESCE(excluded.snapshot, measures.snapshot),
           snapshot_revision = COALESCE(excluded.snapshot_revision, measures.snapshot_revision)
         WHERE measures.revision < excluded.revision
         RETURNING municipality, measure_id
       ), d AS (
         SELECT * FROM jsonb_to_recordset($17::jsonb) AS x(
           deadline_id text, kind text, expected_from date, due_on date, due_at timestamptz, overdue_at timestamptz,
           status text, met_on date, basis text, strength text, source jsonb, also_required_by jsonb,
           escalation_level integer, late boolean, approved_by text, name text)
       ), gone AS (
         DELETE FROM deadlines o USING m
          WHERE o.municipality = m.municipality AND o.measure_id = m.measure_id
            AND o.deadline_id NOT IN (SELECT deadline_id FROM d)
       )
       INSERT INTO deadlines (municipality, measure_id, deadline_id, kind, expected_from, due_on, due_at, overdue_at,
                              status, met_on, basis, strength, source, also_required_by, escalation_level, late,
                              approved_by, name)
       SELECT m.municipality, m.measure_id, d.deadline_id, d.kind, d.expected_from, d.due_on, d.due_at, d.overdue_at,
              d.status, d.met_on, d.basis, d.strength, d.source, d.also_required_by, d.escalation_level, d.late,
              d.approved_by, d.name
         FROM m, d
       ON CONFLICT (municipality, measure_id, deadline_id) DO UPDATE SET
         kind = excluded.kind, expected_from = excluded.expected_from, due_on = excluded.due_on,
         due_at = excluded.due_at, overdue_at = excluded.overdue_at, status = excluded.status, met_on = excluded.met_on,
         basis = excluded.basis, strength = excluded.strength, source = excluded.source,
         also_required_by = excluded.also_required_by, escalation_level = excluded.escalation_level,
         late = excluded.late, approved_by = excluded.approved_by, name = excluded.name`,
      [
        v.measureId,
        v.workflowId,
        v.municipality,
        v.measureType,
        v.package,
        v.state,
        v.policyVersion,
        v.caseId,
        v.caseworkerId,
        v.teamId,
        v.revision,
        JSON.stringify(v.history),
        // A view from a worker older than these fields leaves them unknown rather than failing.
        v.startOn ?? null,
        v.closedOn ?? null,
        v.statutoryFollowUp ?? false,
        machine ? JSON.stringify(machineRow(machine)) : null,
        JSON.stringify(v.deadlines.map(deadlineRow)),
      ],
    );
  }
}

/** The machine state as stored: the child's birth date left out, its presence kept. */
function machineRow(m: MachineState) {
  const grant = m.facts.grant as (Record<string, unknown> & { childBirthDate?: string }) | undefined;
  const hasBirthDate = grant?.childBirthDate !== undefined;
  const facts = hasBirthDate ? { ...m.facts, grant: { ...grant, childBirthDate: undefined } } : m.facts;
  return { state: m.state, facts, raised: m.raised, hasBirthDate };
}

/** One deadline as jsonb_to_recordset reads it (the column names are the table's). */
function deadlineRow(d: MeasureView['deadlines'][number]) {
  return {
    deadline_id: d.id,
    kind: d.kind,
    expected_from: d.expectedFrom ?? null,
    due_on: d.dueOn,
    due_at: new Date(d.dueAt).toISOString(),
    overdue_at: new Date(d.overdueAt).toISOString(),
    status: d.status,
    met_on: d.metOn ?? null,
    basis: d.basis,
    strength: d.strength,
    source: d.source,
    also_required_by: d.alsoRequiredBy ?? null,
    escalation_level: d.escalationLevel,
    late: d.late ?? null,
    approved_by: d.approvedBy ?? null,
    name: d.name ?? null,
  };
}

// The measures projection: written by the workflows' activities (a versioned upsert with the
// machine state beside it), read by the API. A deadline's "overdue" is computed at read time from
// its overdue instant, so the answer is right to the minute even between the workflow's writes.
import type { Pool } from 'pg';
import type { MachineState } from '../../activities/types';
import type { Deadline } from '../../machines/deadlines';
import type { RuleSource } from '../../policies/types';
import type { HistoryEntry } from '../../machines/history';
import type { MeasureView } from '../../machines/measure-view';
import { inTransaction } from '../transaction';
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

  /** A versioned upsert: an older revision arriving late (a retried activity, interleaved
   *  writers) never overwrites a newer one. */
  async project(v: MeasureView): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const res = await client.query(
        `INSERT INTO measures (measure_id, workflow_id, municipality, measure_type, package, state, policy_version,
                               case_id, caseworker_id, team_id, revision, history, updated_at,
                               start_on, closed_on, statutory_follow_up)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, now(), $13, $14, $15)
         ON CONFLICT (municipality, measure_id) DO UPDATE SET
           workflow_id = excluded.workflow_id, package = excluded.package, state = excluded.state,
           policy_version = excluded.policy_version, caseworker_id = excluded.caseworker_id, team_id = excluded.team_id,
           revision = excluded.revision, history = excluded.history, updated_at = now(),
           start_on = excluded.start_on, closed_on = excluded.closed_on, statutory_follow_up = excluded.statutory_follow_up
         WHERE measures.revision < excluded.revision`,
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
        ],
      );
      if (res.rowCount === 1) {
        await client.query('DELETE FROM deadlines WHERE municipality = $1 AND measure_id = $2', [
          v.municipality,
          v.measureId,
        ]);
        for (const d of v.deadlines) {
          await client.query(
            `INSERT INTO deadlines (measure_id, deadline_id, kind, expected_from, due_on, due_at, overdue_at, status, met_on,
                                    basis, strength, source, also_required_by, escalation_level, late, approved_by, name,
                                    municipality)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
            [
              v.measureId,
              d.id,
              d.kind,
              d.expectedFrom ?? null,
              d.dueOn,
              new Date(d.dueAt),
              new Date(d.overdueAt),
              d.status,
              d.metOn ?? null,
              d.basis,
              d.strength,
              JSON.stringify(d.source),
              d.alsoRequiredBy ? JSON.stringify(d.alsoRequiredBy) : null,
              d.escalationLevel,
              d.late ?? null,
              d.approvedBy ?? null,
              d.name ?? null,
              v.municipality,
            ],
          );
        }
      }
    });
  }

  /** The machine state a policy preview simulates from, with its own revision guard. The child's
   *  birth date never leaves the workflow: a preview that needs it asks the workflow instead
   *  (`hasBirthDate`). */
  async storeMachineState(municipality: string, measureId: string, revision: number, m: MachineState): Promise<void> {
    const grant = m.facts.grant as (Record<string, unknown> & { childBirthDate?: string }) | undefined;
    const hasBirthDate = grant?.childBirthDate !== undefined;
    const facts = hasBirthDate ? { ...m.facts, grant: { ...grant, childBirthDate: undefined } } : m.facts;
    await this.pool.query(
      `UPDATE measures SET snapshot = $1, snapshot_revision = $2
        WHERE municipality = $4 AND measure_id = $3 AND (snapshot_revision IS NULL OR snapshot_revision < $2)`,
      [JSON.stringify({ state: m.state, facts, raised: m.raised, hasBirthDate }), revision, measureId, municipality],
    );
  }
}

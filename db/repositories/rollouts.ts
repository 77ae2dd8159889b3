// policy_rollouts and policy_rollout_items: a policy version's way to the running measures,
// and what happened to each of them. Item rows never downgrade an outcome.
import type { Queryable } from '../queryable';

export interface RolloutRow {
  id: string;
  municipality: string;
  version: number;
  measure_types: string[];
  effective_from: string;
  starts_at: Date;
  workflow_id: string;
  status: string;
  total: number | null;
  author: string;
  reason: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface NewRollout {
  id: string;
  municipality: string;
  version: number;
  measureTypes: string[];
  effectiveFrom: string;
  startsAt: string;
  workflowId: string;
  author: string;
  reason: string;
}

export interface RolloutItem {
  measureId: string;
  outcome: string;
  detail?: string;
  moved: unknown;
}

export class RolloutRepository {
  constructor(private readonly db: Queryable) {}

  async schedule(r: NewRollout): Promise<void> {
    await this.db.query(
      `INSERT INTO policy_rollouts (id, municipality, version, measure_types, effective_from, starts_at, workflow_id, status, author, reason)
       VALUES ($1,$2,$3,$4,$5,$6,$7,'scheduled',$8,$9)`,
      [r.id, r.municipality, r.version, r.measureTypes, r.effectiveFrom, r.startsAt, r.workflowId, r.author, r.reason],
    );
  }

  async get(id: string): Promise<RolloutRow | undefined> {
    const q = await this.db.query<RolloutRow>('SELECT * FROM policy_rollouts WHERE id = $1', [id]);
    return q.rows[0];
  }

  /** The latest 100 rollouts' ids, newest first. */
  async recentIds(municipality?: string): Promise<string[]> {
    const q = await this.db.query<{ id: string }>(
      `SELECT id FROM policy_rollouts ${municipality ? 'WHERE municipality = $1' : ''} ORDER BY created_at DESC LIMIT 100`,
      municipality ? [municipality] : [],
    );
    return q.rows.map((x) => x.id);
  }

  /** How many measures got each outcome. */
  async outcomes(id: string): Promise<Record<string, number>> {
    const items = await this.db.query<{ outcome: string; n: number }>(
      'SELECT outcome, count(*)::int AS n FROM policy_rollout_items WHERE rollout_id = $1 GROUP BY outcome',
      [id],
    );
    const outcomes: Record<string, number> = {};
    for (const i of items.rows) outcomes[i.outcome] = i.n;
    return outcomes;
  }

  /** Marks it running and counts, once, the measures it must reach. */
  async begin(id: string): Promise<{ total: number }> {
    const r = await this.db.query<{ total: number | null }>(
      `UPDATE policy_rollouts p SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
              total = coalesce(total, (SELECT count(*) FROM measures m
                                        WHERE m.municipality = p.municipality AND m.measure_type = ANY(p.measure_types)
                                          AND m.state <> 'closed' AND m.policy_version < p.version))
        WHERE id = $1 AND status IN ('scheduled', 'running') RETURNING total`,
      [id],
    );
    return { total: r.rows[0]?.total ?? 0 };
  }

  async finish(id: string, status: string): Promise<void> {
    await this.db.query(
      `UPDATE policy_rollouts SET status = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND status IN ('scheduled', 'running')`,
      [id, status],
    );
  }

  async touch(id: string): Promise<void> {
    await this.db.query('UPDATE policy_rollouts SET updated_at = now() WHERE id = $1', [id]);
  }

  /** The next running measures (in measure_id order, after `after`) still below `version`. */
  async measuresToMove(o: {
    municipality: string;
    measureTypes: string[];
    version: number;
    after: string;
    limit: number;
  }) {
    const q = await this.db.query<{ measure_id: string; workflow_id: string; measure_type: string }>(
      `SELECT measure_id, workflow_id, measure_type FROM measures
        WHERE municipality = $1 AND measure_type = ANY($2) AND state <> 'closed' AND policy_version < $3 AND measure_id > $4
        ORDER BY measure_id LIMIT $5`,
      [o.municipality, o.measureTypes, o.version, o.after, o.limit],
    );
    return q.rows;
  }

  async record(id: string, rs: RolloutItem[]): Promise<void> {
    await this.db.query(
      `INSERT INTO policy_rollout_items (rollout_id, measure_id, outcome, moved, detail)
       SELECT $1, x.measure_id, x.outcome, x.moved::jsonb, x.detail
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(measure_id, outcome, moved, detail)
       ON CONFLICT (rollout_id, measure_id) DO UPDATE SET outcome = excluded.outcome, moved = excluded.moved, detail = excluded.detail, at = now()
        WHERE policy_rollout_items.outcome NOT IN ('moved', 'updated')`,
      [
        id,
        rs.map((r) => r.measureId),
        rs.map((r) => r.outcome),
        rs.map((r) => (r.moved ? JSON.stringify(r.moved) : null)),
        rs.map((r) => r.detail ?? null),
      ],
    );
  }
}

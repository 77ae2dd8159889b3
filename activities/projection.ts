// Writes a measure's view to PostgreSQL. A versioned upsert: an older revision arriving late
// (a retried activity, interleaved writers) never overwrites a newer one.
import type { Pool } from 'pg';
import { inTransaction } from '../db/transaction';
import type { MeasureView } from '../workflows/view';

export async function projectMeasure(pool: Pool, v: MeasureView): Promise<void> {
  await inTransaction(pool, async (client) => {
    const res = await client.query(
      `INSERT INTO measures (measure_id, workflow_id, municipality, measure_type, package, state, policy_version,
                             case_id, caseworker_id, team_id, revision, history, updated_at,
                             start_on, closed_on, statutory_follow_up)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12, now(), $13, $14, $15)
       ON CONFLICT (measure_id) DO UPDATE SET
         workflow_id = excluded.workflow_id, package = excluded.package, state = excluded.state,
         policy_version = excluded.policy_version, caseworker_id = excluded.caseworker_id, team_id = excluded.team_id,
         revision = excluded.revision, history = excluded.history, updated_at = now(),
         start_on = excluded.start_on, closed_on = excluded.closed_on, statutory_follow_up = excluded.statutory_follow_up
       WHERE measures.revision < excluded.revision`,
      [v.measureId, v.workflowId, v.municipality, v.measureType, v.package, v.state, v.policyVersion, v.caseId, v.caseworkerId, v.teamId, v.revision, JSON.stringify(v.history),
       // A view from a worker older than these fields leaves them unknown rather than failing.
       v.startOn ?? null, v.closedOn ?? null, v.statutoryFollowUp ?? false],
    );
    if (res.rowCount === 1) {
      await client.query('DELETE FROM deadlines WHERE measure_id = $1', [v.measureId]);
      for (const d of v.deadlines) {
        await client.query(
          `INSERT INTO deadlines (measure_id, deadline_id, kind, expected_from, due_on, due_at, overdue_at, status, met_on,
                                  basis, strength, source, also_required_by, escalation_level)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
          [v.measureId, d.id, d.kind, d.expectedFrom ?? null, d.dueOn, new Date(d.dueAt), new Date(d.overdueAt), d.status, d.metOn ?? null,
           d.basis, d.strength, JSON.stringify(d.source), d.alsoRequiredBy ? JSON.stringify(d.alsoRequiredBy) : null, d.escalationLevel],
        );
      }
    }
  });
}

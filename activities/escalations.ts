// Raises one escalation level of one deadline. Idempotent by (measure, deadline, due date, level):
// an activity retried or replayed after a worker restart inserts nothing the second time.
import { log } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { EscalationInput } from './types';

export async function raiseEscalation(pool: Pool, e: EscalationInput): Promise<{ inserted: boolean }> {
  const res = await pool.query(
    `INSERT INTO escalations (measure_id, workflow_id, municipality, deadline_id, deadline_kind, due_on, level, role,
                              caseworker_id, team_id, raised_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
     ON CONFLICT (measure_id, deadline_id, due_on, level) DO NOTHING`,
    [e.measureId, e.workflowId, e.municipality, e.deadlineId, e.deadlineKind, e.dueOn, e.level, e.role, e.caseworkerId, e.teamId, e.raisedAt],
  );
  const inserted = res.rowCount === 1;
  // Identifiers only: no names, no CPR, nothing from the case.
  if (inserted) log.info('escalation raised', { workflowId: e.workflowId, deadline: e.deadlineId, dueOn: e.dueOn, level: e.level, role: e.role });
  return { inserted };
}

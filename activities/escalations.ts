// Raises one escalation level of one deadline. Idempotent by (measure, deadline, due date, level):
// an activity retried or replayed after a worker restart inserts nothing the second time.
import { log } from '@temporalio/activity';
import type { EscalationRepository } from '../db/repositories/escalations';
import type { EscalationInput } from './types';

export async function raiseEscalation(
  escalations: EscalationRepository,
  e: EscalationInput,
): Promise<{ inserted: boolean }> {
  const inserted = await escalations.raise(e);
  // Identifiers only: no names, no CPR, nothing from the case.
  if (inserted)
    log.info('escalation raised', {
      workflowId: e.workflowId,
      deadline: e.deadlineId,
      dueOn: e.dueOn,
      level: e.level,
      role: e.role,
    });
  return { inserted };
}

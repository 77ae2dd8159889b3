// Raises one escalation of one deadline, and resolves the escalations of deadlines that ended.
// Both idempotent: an activity retried or replayed after a worker restart changes nothing the
// second time.
import { activityInfo, log } from '@temporalio/activity';
import { municipalityOfWorkflow } from '../codec/municipal-codec';
import type { EscalationRepository } from '../db/repositories/escalations';
import type { EscalationInput, ResolutionInput } from './types';

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

export async function resolveEscalations(
  escalations: EscalationRepository,
  r: ResolutionInput,
): Promise<{ resolved: number }> {
  // A measure is (municipality, measureId): the workflow's id names the municipality, so the
  // workflow's input (and its recorded histories) need not change.
  const municipality = r.municipality ?? municipalityOfWorkflow(activityInfo().workflowExecution?.workflowId);
  if (!municipality) throw new Error('resolveEscalations: no municipality in the input or the workflow id');
  let resolved = 0;
  for (const l of r.ladders)
    resolved += await escalations.resolve(municipality, r.measureId, l.deadlineIds, l.resolution, r.resolvedAt);
  if (resolved > 0) log.info('escalations resolved', { resolved, resolutions: r.ladders.map((l) => l.resolution) });
  return { resolved };
}

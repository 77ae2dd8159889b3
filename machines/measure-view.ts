// What the outside world sees of a measure: the projection written to PostgreSQL and the query
// answer. Built from the machine snapshot; plain data only.
import { underSection95 } from './statutory';
import type { Deadline } from './deadlines';
import { isLate } from './escalations';
import { historyOf, type HistoryEntry } from './history';
import type { MeasureSnapshot } from './measure';
import type { MeasureState } from './measure-machine';
import type { PolicyAudit } from './policy-change';

export interface DeadlineView extends Deadline {
  escalationLevel: number;
  /** On a met deadline: whether it was met after it was due. */
  late?: boolean;
}

export interface MeasureView {
  measureId: string;
  workflowId: string;
  revision: number;
  municipality: string;
  measureType: string;
  package: string | null;
  state: MeasureState;
  policyVersion: number;
  caseId: string | null;
  caseworkerId: string | null;
  teamId: string | null;
  /** The compliance figures: § 95 counts 3 months from the start, for the types it covers. */
  startOn: string | null;
  closedOn: string | null;
  statutoryFollowUp: boolean;
  deadlines: DeadlineView[];
  history: HistoryEntry[];
}

export function viewOf(
  measureId: string,
  workflowId: string,
  revision: number,
  s: MeasureSnapshot,
  ds: Deadline[],
  levelOf: (d: Deadline) => number,
  audit: readonly PolicyAudit[] = [],
): MeasureView {
  const { policy, facts } = s.context;
  const g = facts.grant;
  return {
    measureId,
    workflowId,
    revision,
    municipality: policy.municipality,
    measureType: policy.measureType.slug,
    package: facts.periods[facts.periods.length - 1]?.package ?? null,
    state: s.state,
    policyVersion: policy.version,
    caseId: g?.caseId ?? null,
    caseworkerId: g?.caseworkerId ?? null,
    teamId: g?.teamId ?? null,
    startOn: g?.startOn ?? null,
    closedOn: facts.closed?.closedOn ?? null,
    statutoryFollowUp: underSection95(policy.measureType),
    deadlines: ds.map((d) => ({
      ...d,
      escalationLevel: levelOf(d),
      ...(d.status === 'met' ? { late: isLate(d) } : {}),
    })),
    history: historyOf(facts, audit, policy.municipality),
  };
}

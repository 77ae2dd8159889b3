// What the outside world sees of a measure: the projection written to PostgreSQL, the query
// answer, and the update result. Built from the machine snapshot; plain data only.
import type { Deadline } from '../machines/deadlines';
import type { MeasureSnapshot } from '../machines/measure';
import type { MeasureState } from '../machines/refusals';
import type { EscalationStep } from '../policies/types';
import { escalationLevel } from './schedule';
import { withPolicyHistory, type PolicyAudit } from './policy-change';

export interface DeadlineView extends Deadline {
  escalationLevel: number;
}

export interface HistoryEntry {
  eventId: string;
  type: string;
  /** The date the event is about (held, received, effective, closed...). */
  on: string;
  at: string;
  detail?: Record<string, unknown>;
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

export function historyOf(s: MeasureSnapshot): HistoryEntry[] {
  const f = s.context.facts;
  const iso = (at: number) => new Date(at).toISOString();
  const out: HistoryEntry[] = [];
  if (f.grant) {
    const { eventId, at, grantedOn, startOn, package: pkg, prerequisites } = f.grant;
    // Never the child's birth date: the history is projected to PostgreSQL and shown in lists.
    out.push({ eventId, type: 'measure.granted', on: grantedOn, at: iso(at), detail: { startOn, package: pkg, prerequisites } });
  }
  if (f.treatmentPlan) out.push({ eventId: f.treatmentPlan.eventId, type: 'measure.treatment-plan-received', on: f.treatmentPlan.receivedOn, at: iso(f.treatmentPlan.at) });
  if (f.startupMeeting) out.push({ eventId: f.startupMeeting.eventId, type: 'measure.startup-meeting-held', on: f.startupMeeting.heldOn, at: iso(f.startupMeeting.at) });
  for (const u of f.followUps)
    out.push({ eventId: u.eventId, type: 'measure.follow-up-held', on: u.heldOn, at: iso(u.at), detail: { participants: u.participants, actionPlanDecision: u.actionPlanDecision, nextMeetingOn: u.nextMeetingOn, counts: u.counts, missing: u.missing } });
  for (const x of f.sessions) out.push({ eventId: x.eventId, type: 'measure.session-held', on: x.heldOn, at: iso(x.at) });
  for (const p of f.periods.slice(1)) out.push({ eventId: p.eventId, type: 'measure.package-changed', on: p.startOn, at: iso(p.at), detail: { package: p.package, reason: p.reason } });
  for (const e of f.extensions) out.push({ eventId: e.eventId, type: 'measure.extended', on: e.decidedOn, at: iso(e.at), detail: { until: e.until, approvedBy: e.approvedBy } });
  for (const m of f.obligationsMet ?? []) out.push({ eventId: m.eventId, type: 'measure.obligation-met', on: m.metOn, at: iso(m.at), detail: { obligation: m.kind } });
  for (const c of f.caseEvents ?? []) out.push({ eventId: c.eventId, type: c.type, on: c.on, at: iso(c.at) });
  if (f.closed) out.push({ eventId: f.closed.eventId, type: 'measure.closed', on: f.closed.closedOn, at: iso(f.closed.at), detail: { reason: f.closed.reason } });
  return out.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export function viewOf(
  measureId: string,
  workflowId: string,
  revision: number,
  s: MeasureSnapshot,
  ds: Deadline[],
  raised: ReadonlySet<string>,
  ladder: EscalationStep[],
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
    statutoryFollowUp: policy.measureType.statutoryFollowUp,
    deadlines: ds.map((d) => ({ ...d, escalationLevel: escalationLevel(d, raised, ladder) })),
    history: withPolicyHistory(historyOf(s), audit, policy.municipality),
  };
}

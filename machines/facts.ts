// What has happened to a measure, as dated facts. Deadlines are derived from these plus the
// policy (machines/deadlines.ts), never stored as running timers, so that a changed policy can be
// re-applied to a running measure without rewriting what already happened.
import type { IsoDate } from './dates';
import type { GrantData } from './event-catalogue';
import type { ActionPlanDecision, ApproverRole, CaseEventType, CloseReason, Participant } from '../policies/types';

interface Recorded {
  eventId: string;
  at: number;
}

export interface PackagePeriod extends Recorded {
  package?: string;
  startOn: IsoDate;
  reason?: string;
  /** The day the change was decided (a reassessment is met then, not when the package starts);
   *  absent for periods recorded before decisions carried their date. */
  decidedOn?: IsoDate;
}

export interface FollowUpFact extends Recorded {
  heldOn: IsoDate;
  participants: Participant[];
  actionPlanDecision?: ActionPlanDecision;
  nextMeetingOn?: IsoDate;
  /** Whether it meets the policy's validity rule; one that does not is kept and shown. */
  counts: boolean;
  missing: string[];
}

export interface Facts {
  grant?: GrantData & Recorded;
  /** The first period starts with the grant; each package change starts a new one. */
  periods: PackagePeriod[];
  treatmentPlan?: Recorded & { receivedOn: IsoDate };
  startupMeeting?: Recorded & { heldOn: IsoDate };
  followUps: FollowUpFact[];
  sessions: Array<Recorded & { heldOn: IsoDate }>;
  extensions: Array<Recorded & { until?: IsoDate; count?: number; approvedBy: ApproverRole; decidedOn: IsoDate }>;
  closed?: Recorded & { closedOn: IsoDate; reason: CloseReason };
  /** Obligations met (a child conversation held, a prerequisite in place...), by kind. */
  obligationsMet: Array<Recorded & { kind: string; metOn: IsoDate }>;
  /** What the provider reported delivering (`measure.delivery-reported`); absent in snapshots
   *  recorded before deliveries were reported. */
  deliveries?: Array<Recorded & { deliveredOn: IsoDate; hours?: number; appointments?: number }>;
  /** Other dated case events obligations count from (`case.milestone-reported`). */
  milestones?: Array<Recorded & { milestone: string; on: IsoDate }>;
  /** Case events about the child or family (placed, placement ended, moved away). */
  caseEvents: Array<Recorded & { type: CaseEventType; on: IsoDate }>;
  /** The last instant the clock told the machine (epoch ms); 0 before the first tick. */
  now: number;
}

export const emptyFacts = (): Facts => ({
  periods: [],
  followUps: [],
  sessions: [],
  extensions: [],
  obligationsMet: [],
  caseEvents: [],
  now: 0,
});

// The clock moves `now` and nothing else, and deadlines are derived from the dated facts alone; so
// facts that differ from earlier ones only in `now` remember those earlier ones, and a derivation
// cached for them serves every later tick (the loop ticks on every wake).
const datedAs = new WeakMap<Facts, Facts>();

/** The same facts with the clock at `now`. */
export function withNow(f: Facts, now: number): Facts {
  const next = { ...f, now };
  datedAs.set(next, datedAs.get(f) ?? f);
  return next;
}

/** The first facts object with these same dated facts: the key a derivation is cached under. */
export function datedFacts(f: Facts): Facts {
  return datedAs.get(f) ?? f;
}

export function currentPeriod(f: Facts): PackagePeriod | undefined {
  return f.periods[f.periods.length - 1];
}

export function countingFollowUps(f: Facts): FollowUpFact[] {
  return f.followUps.filter((u) => u.counts).sort((a, b) => (a.heldOn < b.heldOn ? -1 : a.heldOn > b.heldOn ? 1 : 0));
}

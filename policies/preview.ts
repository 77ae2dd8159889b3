// What a policy change would do to the running measures, before anyone applies it: which
// deadlines move and by how much, what becomes overdue at once, and the follow-up workload per
// team and week over the next 26 weeks, before and after. Computed with the machine the
// workflows run (machines/measure.ts + deriveDeadlines): no second implementation of the rules.
// Pure: api/policy-preview.ts loads the running measures and hands them here.
import { addToDate, dateOf, daysBetween, startOfDay, type IsoDate } from '../machines/dates';
import { deriveDeadlines, isOverdue } from '../machines/deadlines';
import { judgeLadders, reachedLevels } from '../machines/escalations';
import type { MeasureEvent } from '../machines/event-catalogue';
import type { Facts } from '../machines/facts';
import { apply, type MeasureSnapshot } from '../machines/measure';
import { MACHINE_VERSION, type MeasureState } from '../machines/measure-machine';
import { compareDeadlines, type MovedDeadline } from '../machines/policy-change';
import { stableJson } from './edit';
import { measurePolicyOf } from './source';
import type { MeasurePolicy, MunicipalityPolicy } from './types';

export const WEEKS = 26;
const FOLLOW_UP_KINDS = new Set(['first-follow-up', 'follow-up']);
/** Deadlines the simulation meets on their due date so that the chain after them continues. */
const SIMULATED = new Set(['startup-meeting', 'treatment-plan', 'first-follow-up', 'follow-up']);

export interface MeasurePreview {
  measureId: string;
  measureType: string;
  teamId: string | null;
  policyVersion: number;
  moved: MovedDeadline[];
  becomesOverdue: string[];
  stopsBeingOverdue: string[];
  escalationsDueAtOnce: number;
}

export interface Preview {
  /** When the change would reach the measures: now, or the start of effectiveFrom. */
  evaluatedAt: string;
  measureTypes: string[];
  runningMeasures: number;
  affectedMeasures: number;
  movedDeadlines: number;
  becomeOverdueAtOnce: number;
  stopBeingOverdue: number;
  escalationsDueAtOnce: number;
  /** Days moved, by deadline kind: how many moved and the range. */
  byKind: Record<string, { moved: number; minDays: number; maxDays: number }>;
  measures: MeasurePreview[];
  measuresTruncated: boolean;
  workload: Workload;
  timing: { loadMs: number; computeMs: number; fromWorkflows: number };
}

export interface Workload {
  /** Monday-less weeks counted from the evaluation date: week i covers [from + 7i, from + 7i + 6]. */
  from: IsoDate;
  weeks: number;
  teams: Array<{ teamId: string; before: number[]; after: number[] }>;
  total: { before: number[]; after: number[] };
}

/** A running measure as the projection stores it: its machine state, facts and raised escalations
 *  (null when they could not be had: the measure closed meanwhile). */
export interface RunningMeasure {
  measureId: string;
  measureType: string;
  teamId: string | null;
  policyVersion: number;
  snapshot: { state: MeasureState; facts: Facts; raised: string[] } | null;
}

/** Follow-ups due per week, simulating the measure forward: every deadline on the chain is met on
 *  its due date (or today when overdue), through the machine, until the horizon. */
export function simulateFollowUps(
  policy: MeasurePolicy,
  state: MeasureState,
  facts: Facts,
  from: IsoDate,
  weeks = WEEKS,
): number[] {
  const out = new Array<number>(weeks).fill(0);
  const end = addToDate(from, `P${weeks * 7 - 1}D`);
  let s: MeasureSnapshot = { machineVersion: MACHINE_VERSION, state, context: { policy, facts } };
  for (let n = 0; n < 200; n++) {
    const next = deriveDeadlines(s.context.policy, s.context.facts)
      .filter((d) => d.status === 'pending' && SIMULATED.has(d.kind) && d.dueOn <= end)
      .sort((a, b) => a.dueAt - b.dueAt)[0];
    if (!next) break;
    const on = next.dueOn < from ? from : next.dueOn;
    if (FOLLOW_UP_KINDS.has(next.kind)) out[Math.floor(daysBetween(from, on) / 7)]++;
    const e = synthetic(policy, next.kind, on, n);
    try {
      s = apply(s, e, startOfDay(on) + 12 * 3600_000);
    } catch {
      break; // the machine refuses (e.g. a decision is due first): the chain stops here
    }
  }
  return out;
}

function synthetic(policy: MeasurePolicy, kind: string, on: IsoDate, n: number): MeasureEvent {
  const base = { eventId: `preview/${n}`, at: startOfDay(on) + 12 * 3600_000 };
  if (kind === 'startup-meeting') return { ...base, type: 'measure.startup-meeting-held', data: { heldOn: on } };
  if (kind === 'treatment-plan') return { ...base, type: 'measure.treatment-plan-received', data: { receivedOn: on } };
  const required = policy.measureType.followUpValidity?.requiredParticipants ?? [];
  const participants = [...new Set(['executor' as const, 'parents' as const, ...required])];
  return { ...base, type: 'measure.follow-up-held', data: { heldOn: on, participants, actionPlanDecision: 'keep' } };
}

/** The preview of moving running measures from the versions they run under (`documents`, by
 *  version) to `next`, evaluated at `at` (now, or the start of the effective date). Built one
 *  measure at a time, so that an adapter can yield between chunks: a preview of 10,000 measures is
 *  seconds of CPU, too long to hold an event loop (bench/RESULTS.md). */
export class PreviewBuilder {
  private readonly p: Omit<Preview, 'timing'>;
  private readonly teams = new Map<string, { before: number[]; after: number[] }>();
  private readonly memo = new SimulationMemo();
  private readonly limit: number;
  private readonly at: number;
  private readonly from: IsoDate;

  constructor(
    private readonly documents: ReadonlyMap<number, MunicipalityPolicy>,
    private readonly o: { next: MunicipalityPolicy; measureTypes: string[]; at: number; limit?: number },
  ) {
    this.at = o.at;
    this.from = dateOf(o.at);
    this.limit = o.limit ?? 200;
    this.p = {
      evaluatedAt: new Date(this.at).toISOString(),
      measureTypes: o.measureTypes,
      runningMeasures: 0,
      affectedMeasures: 0,
      movedDeadlines: 0,
      becomeOverdueAtOnce: 0,
      stopBeingOverdue: 0,
      escalationsDueAtOnce: 0,
      byKind: {},
      measures: [],
      measuresTruncated: false,
      workload: {
        from: this.from,
        weeks: WEEKS,
        teams: [],
        total: { before: new Array(WEEKS).fill(0), after: new Array(WEEKS).fill(0) },
      },
    };
  }

  /** Adds one running measure (one whose snapshot is missing, or whose type is gone, counts not). */
  add(r: RunningMeasure): void {
    if (!r.snapshot) return;
    const oldDoc = this.documents.get(r.policyVersion);
    const oldType = oldDoc?.measureTypes.find((t) => t.slug === r.measureType);
    const newType = this.o.next.measureTypes.find((t) => t.slug === r.measureType);
    if (!oldDoc || !oldType || !newType) return;
    this.p.runningMeasures++;
    const oldPolicy = measurePolicyOf(oldDoc, oldType);
    const newPolicy = measurePolicyOf(this.o.next, newType);
    const { facts, state } = r.snapshot;
    const raised = new Set(r.snapshot.raised);
    const before = deriveDeadlines(oldPolicy, facts);
    const after = deriveDeadlines(newPolicy, facts);
    const { diff } = compareDeadlines(before, after, oldPolicy.escalation, newPolicy.escalation, raised, this.at);
    const becomesOverdue = [
      ...diff.moved.filter((m) => m.overdue && !m.wasOverdue).map((m) => m.deadlineId),
      ...after.filter((d) => diff.added.includes(d.id) && isOverdue(d, this.at)).map((d) => d.id),
    ];
    const stops = diff.moved.filter((m) => m.wasOverdue && !m.overdue).map((m) => m.deadlineId);
    // One escalation per deadline at the level now due, as the workflow raises them.
    const reached = reachedLevels(raised);
    const escBefore = new Set(judgeLadders(before, oldPolicy.escalation, reached, this.at).due.map((e) => e.key));
    const escNow = judgeLadders(after, newPolicy.escalation, reached, this.at).due.filter(
      (e) => !escBefore.has(e.key),
    ).length;
    if (diff.moved.length || becomesOverdue.length || escNow) {
      this.p.affectedMeasures++;
      if (this.p.measures.length < this.limit)
        this.p.measures.push({
          measureId: r.measureId,
          measureType: r.measureType,
          teamId: r.teamId,
          policyVersion: r.policyVersion,
          moved: diff.moved,
          becomesOverdue,
          stopsBeingOverdue: stops,
          escalationsDueAtOnce: escNow,
        });
      else this.p.measuresTruncated = true;
    }
    this.p.movedDeadlines += diff.moved.length;
    this.p.becomeOverdueAtOnce += becomesOverdue.length;
    this.p.stopBeingOverdue += stops.length;
    this.p.escalationsDueAtOnce += escNow;
    for (const m of diff.moved) {
      const k = (this.p.byKind[m.kind] ??= { moved: 0, minDays: m.days, maxDays: m.days });
      k.moved++;
      k.minDays = Math.min(k.minDays, m.days);
      k.maxDays = Math.max(k.maxDays, m.days);
    }

    const w1 = this.memo.simulate(oldPolicy, state, facts, this.from);
    const sameRules = stableJson(oldType) === stableJson(newType);
    const w2 = sameRules ? w1 : this.memo.simulate(newPolicy, state, facts, this.from);
    const team = r.teamId ?? '(no team)';
    let tw = this.teams.get(team);
    if (!tw) this.teams.set(team, (tw = { before: new Array(WEEKS).fill(0), after: new Array(WEEKS).fill(0) }));
    for (let i = 0; i < WEEKS; i++) {
      tw.before[i] += w1[i];
      tw.after[i] += w2[i];
      this.p.workload.total.before[i] += w1[i];
      this.p.workload.total.after[i] += w2[i];
    }
  }

  result(): Omit<Preview, 'timing'> {
    this.p.workload.teams = [...this.teams.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([teamId, w]) => ({ teamId, ...w }));
    return this.p;
  }
}

/** Measures of one type with the same dated facts simulate alike: the machine is a function of
 *  (policy, state, facts). The key drops what the simulation cannot see (event ids, case and
 *  caseworker ids, the instants events were stamped, the time of day) unless a rule of the type
 *  counts in hours or seconds, when every instant matters and nothing is shared. */
export class SimulationMemo {
  private readonly cache = new Map<string, number[]>();
  private readonly subDay = new Map<MeasurePolicy, boolean>();
  hits = 0;
  misses = 0;

  simulate(policy: MeasurePolicy, state: MeasureState, facts: Facts, from: IsoDate): number[] {
    let sub = this.subDay.get(policy);
    if (sub === undefined) this.subDay.set(policy, (sub = /"P[0-9YMWD]*T/.test(JSON.stringify(policy))));
    if (sub) return simulateFollowUps(policy, state, facts, from);
    const key = `${policy.municipality}|${policy.version}|${policy.measureType.slug}|${state}|${from}|${dateOf(facts.now)}|${JSON.stringify(
      facts,
      (k, v) =>
        k === 'eventId' || k === 'at' || k === 'now' || k === 'caseId' || k === 'caseworkerId' || k === 'teamId'
          ? undefined
          : v,
    )}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const w = simulateFollowUps(policy, state, facts, from);
    this.cache.set(key, w);
    return w;
  }
}

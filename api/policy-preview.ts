// What a policy change would do to the running measures, before anyone applies it: which
// deadlines move and by how much, what becomes overdue at once, and the follow-up workload per
// team and week over the next 26 weeks, before and after. Computed with the machine the
// workflows run (machines/measure.ts + deriveDeadlines): no second implementation of the rules.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { addToDate, dateOf, daysBetween, startOfDay, type IsoDate } from '../machines/dates';
import { deriveDeadlines, isOverdue } from '../machines/deadlines';
import type { Facts } from '../machines/facts';
import { apply, type MeasureSnapshot } from '../machines/measure';
import { MACHINE_VERSION } from '../machines/measure-machine';
import type { MeasureEvent } from '../machines/events';
import type { MeasureState } from '../machines/refusals';
import { measurePolicyOf } from '../policies/source';
import type { PolicyStore } from '../policies/store';
import type { MeasurePolicy, MunicipalityPolicy } from '../policies/types';
import { snapshotQuery } from '../workflows/definitions';
import { compareDeadlines, type MovedDeadline } from '../workflows/policy-change';
import { dueEscalations } from '../workflows/schedule';
import { stableJson } from './policy-edit';

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

interface Row {
  measure_id: string;
  workflow_id: string;
  measure_type: string;
  team_id: string | null;
  policy_version: number;
  snapshot: { state: MeasureState; facts: Facts; raised: string[]; hasBirthDate?: boolean } | null;
}

/** Follow-ups due per week, simulating the measure forward: every deadline on the chain is met on
 *  its due date (or today when overdue), through the machine, until the horizon. */
export function simulateFollowUps(policy: MeasurePolicy, state: MeasureState, facts: Facts, from: IsoDate, weeks = WEEKS): number[] {
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

export async function previewChange(
  deps: { pool: Pool; temporal: Client; store: PolicyStore },
  o: { municipality: string; next: MunicipalityPolicy; measureTypes: string[]; effectiveFrom: IsoDate; limit?: number },
): Promise<Preview> {
  const t0 = Date.now();
  const now = Date.now();
  const at = Math.max(now, startOfDay(o.effectiveFrom));
  const from = dateOf(at);
  const rows = (
    await deps.pool.query<Row>(
      `SELECT measure_id, workflow_id, measure_type, team_id, policy_version, snapshot FROM measures
        WHERE municipality = $1 AND measure_type = ANY($2) AND state <> 'closed' ORDER BY measure_id`,
      [o.municipality, o.measureTypes],
    )
  ).rows;
  // Measures projected before snapshots were stored, or whose facts hold what is never stored
  // (the child's birth date), are asked directly.
  const ask = rows.filter((r) => !r.snapshot || r.snapshot.hasBirthDate);
  for (let i = 0; i < ask.length; i += 10) {
    await Promise.all(
      ask.slice(i, i + 10).map(async (r) => {
        try {
          const q = await deps.temporal.workflow.getHandle(r.workflow_id).query(snapshotQuery);
          r.snapshot = { state: q.snapshot.state, facts: q.snapshot.context.facts, raised: q.raised };
          r.policy_version = q.snapshot.context.policy.version;
        } catch {
          r.snapshot = null; // closed meanwhile
        }
      }),
    );
  }
  const docs = new Map<number, MunicipalityPolicy>();
  for (const v of new Set(rows.map((r) => r.policy_version))) docs.set(v, (await deps.store.document(o.municipality, v))!);
  const t1 = Date.now();

  const p: Preview = {
    evaluatedAt: new Date(at).toISOString(),
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
    workload: { from, weeks: WEEKS, teams: [], total: { before: new Array(WEEKS).fill(0), after: new Array(WEEKS).fill(0) } },
    timing: { loadMs: t1 - t0, computeMs: 0, fromWorkflows: ask.length },
  };
  const teams = new Map<string, { before: number[]; after: number[] }>();
  const limit = o.limit ?? 200;
  const memo = new SimulationMemo();
  for (const r of rows) {
    if (!r.snapshot) continue;
    const oldDoc = docs.get(r.policy_version);
    const oldType = oldDoc?.measureTypes.find((t) => t.slug === r.measure_type);
    const newType = o.next.measureTypes.find((t) => t.slug === r.measure_type);
    if (!oldDoc || !oldType || !newType) continue;
    p.runningMeasures++;
    const oldPolicy = measurePolicyOf(oldDoc, oldType);
    const newPolicy = measurePolicyOf(o.next, newType);
    const { facts, state } = r.snapshot;
    const raised = new Set(r.snapshot.raised);
    const before = deriveDeadlines(oldPolicy, facts);
    const after = deriveDeadlines(newPolicy, facts);
    const { diff } = compareDeadlines(before, after, oldPolicy.escalation, newPolicy.escalation, raised, at);
    const becomesOverdue = [
      ...diff.moved.filter((m) => m.overdue && !m.wasOverdue).map((m) => m.deadlineId),
      ...after.filter((d) => diff.added.includes(d.id) && isOverdue(d, at)).map((d) => d.id),
    ];
    const stops = diff.moved.filter((m) => m.wasOverdue && !m.overdue).map((m) => m.deadlineId);
    const escBefore = new Set(dueEscalations(before, oldPolicy.escalation, raised, at).map((e) => e.key));
    const escNow = dueEscalations(after, newPolicy.escalation, raised, at).filter((e) => !escBefore.has(e.key)).length;
    if (diff.moved.length || becomesOverdue.length || escNow) {
      p.affectedMeasures++;
      if (p.measures.length < limit)
        p.measures.push({ measureId: r.measure_id, measureType: r.measure_type, teamId: r.team_id, policyVersion: r.policy_version, moved: diff.moved, becomesOverdue, stopsBeingOverdue: stops, escalationsDueAtOnce: escNow });
      else p.measuresTruncated = true;
    }
    p.movedDeadlines += diff.moved.length;
    p.becomeOverdueAtOnce += becomesOverdue.length;
    p.stopBeingOverdue += stops.length;
    p.escalationsDueAtOnce += escNow;
    for (const m of diff.moved) {
      const k = (p.byKind[m.kind] ??= { moved: 0, minDays: m.days, maxDays: m.days });
      k.moved++;
      k.minDays = Math.min(k.minDays, m.days);
      k.maxDays = Math.max(k.maxDays, m.days);
    }

    const w1 = memo.simulate(oldPolicy, state, facts, from);
    const sameRules = stableJson(oldType) === stableJson(newType);
    const w2 = sameRules ? w1 : memo.simulate(newPolicy, state, facts, from);
    const team = r.team_id ?? '(no team)';
    let tw = teams.get(team);
    if (!tw) teams.set(team, (tw = { before: new Array(WEEKS).fill(0), after: new Array(WEEKS).fill(0) }));
    for (let i = 0; i < WEEKS; i++) {
      tw.before[i] += w1[i];
      tw.after[i] += w2[i];
      p.workload.total.before[i] += w1[i];
      p.workload.total.after[i] += w2[i];
    }
  }
  p.workload.teams = [...teams.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([teamId, w]) => ({ teamId, ...w }));
  p.timing.computeMs = Date.now() - t1;
  return p;
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
    const key = `${policy.municipality}|${policy.version}|${policy.measureType.slug}|${state}|${from}|${dateOf(facts.now)}|${JSON.stringify(facts, (k, v) =>
      k === 'eventId' || k === 'at' || k === 'now' || k === 'caseId' || k === 'caseworkerId' || k === 'teamId' ? undefined : v,
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

// A running measure moved to a new policy version: the rules are swapped, every deadline is
// re-derived from the same facts, and what moved is recorded. Pure (the workflow, the API's
// preview and the tests call it); nothing that already happened is rewritten: met and cancelled
// deadlines depend on facts only, and escalations already raised stay raised.
import { daysBetween } from './dates';
import { deriveDeadlines, isOverdue, type Deadline } from './deadlines';
import { escalationKey, ladderKey, ladderOf } from './escalations';
import { tick, type MeasureSnapshot } from './measure';
import type { MeasurePolicy } from '../policies/types';

/** The `policy` update's argument: the whole MeasurePolicy of the new version. */
export interface PolicyChange {
  policy: MeasurePolicy;
  version: number;
  reason: string;
  author: string;
  rolloutId: string;
}

export interface MovedDeadline {
  deadlineId: string;
  kind: string;
  from: string;
  to: string;
  /** Calendar days later (+) or earlier (-); 0 for a move within the day (sub-day test rules). */
  days: number;
  fromAt: number;
  toAt: number;
  wasOverdue: boolean;
  overdue: boolean;
  /** Levels already raised at the old date: they stay in the record. */
  raisedLevels: number[];
  /** Levels not yet raised that no longer fall due because the deadline is no longer overdue. */
  cancelledLevels: number[];
}

export interface PolicyAudit {
  at: number;
  fromVersion: number;
  version: number;
  reason: string;
  author: string;
  rolloutId: string;
  moved: MovedDeadline[];
  /** Pending deadlines the new rules add or remove (a timer set where there was none, or removed). */
  added: string[];
  removed: string[];
}

export interface PolicyChangeResult {
  measureId: string;
  state: string;
  fromVersion: number;
  version: number;
  /** False when the measure already ran under this version (the update is idempotent). */
  changed: boolean;
  moved: MovedDeadline[];
  /** When unchanged: the rollout that moved the measure to this version earlier. */
  appliedBy?: string;
}

/** Why the change cannot be applied to this measure, or null. */
export function policyRefusal(snap: MeasureSnapshot, c: PolicyChange): string | null {
  const p = snap.context.policy;
  if (c.policy.version !== c.version)
    return `the policy carries version ${c.policy.version}, the change says ${c.version}`;
  if (c.policy.municipality !== p.municipality || c.policy.measureType.slug !== p.measureType.slug)
    return `the policy is for ${c.policy.municipality}/${c.policy.measureType.slug} but the measure runs under ${p.municipality}/${p.measureType.slug}`;
  if (c.version < p.version)
    return `the measure already runs under policy version ${p.version}; version ${c.version} is older`;
  return null;
}

/** Re-derives the deadlines under the new policy. Undefined when the measure already runs under
 *  this version. Overdue deadlines that stay overdue keep the levels already raised (under the new
 *  due date's keys), so nobody is told twice. */
export function changePolicy(
  snap: MeasureSnapshot,
  c: PolicyChange,
  raised: ReadonlySet<string>,
  now: number,
): { snapshot: MeasureSnapshot; audit: PolicyAudit; carriedKeys: string[] } | undefined {
  const from = snap.context.policy;
  if (c.version === from.version) return undefined;
  const before = deriveDeadlines(from, snap.context.facts);
  const next = tick({ ...snap, context: { ...snap.context, policy: c.policy } }, now);
  const after = deriveDeadlines(next.context.policy, next.context.facts);
  const d = compareDeadlines(before, after, from.escalation, c.policy.escalation, raised, now);
  return {
    snapshot: next,
    audit: {
      at: now,
      fromVersion: from.version,
      version: c.version,
      reason: c.reason,
      author: c.author,
      rolloutId: c.rolloutId,
      ...d.diff,
    },
    carriedKeys: d.carriedKeys,
  };
}

export function compareDeadlines(
  before: Deadline[],
  after: Deadline[],
  oldLadder: MeasurePolicy['escalation'],
  newLadder: MeasurePolicy['escalation'],
  raised: ReadonlySet<string>,
  now: number,
): { diff: { moved: MovedDeadline[]; added: string[]; removed: string[] }; carriedKeys: string[] } {
  const old = new Map(before.map((x) => [x.id, x]));
  const moved: MovedDeadline[] = [];
  const carriedKeys: string[] = [];
  const added: string[] = [];
  for (const a of after) {
    if (a.status !== 'pending') continue;
    const b = old.get(a.id);
    if (!b || b.status !== 'pending') {
      if (!b) added.push(a.id);
      continue;
    }
    if (b.dueAt === a.dueAt && b.overdueAt === a.overdueAt) continue;
    // Keys of either format: at the old due date (measures from before one ladder per deadline,
    // whose keys are carried to the new date) or by the deadline's identity (nothing to carry).
    const byDate = oldLadder.filter((s) => raised.has(escalationKey(b, s.level))).map((s) => s.level);
    const raisedLevels = oldLadder
      .filter((s) => byDate.includes(s.level) || raised.has(ladderKey(ladderOf(b.id), s.level)))
      .map((s) => s.level);
    const wasOverdue = isOverdue(b, now);
    const overdue = isOverdue(a, now);
    if (overdue) for (const l of byDate) carriedKeys.push(escalationKey(a, l));
    const reached = Math.max(0, ...raisedLevels);
    moved.push({
      deadlineId: a.id,
      kind: a.kind,
      from: b.dueOn,
      to: a.dueOn,
      days: daysBetween(b.dueOn, a.dueOn),
      fromAt: b.dueAt,
      toAt: a.dueAt,
      wasOverdue,
      overdue,
      raisedLevels,
      cancelledLevels: wasOverdue && !overdue ? newLadder.filter((s) => s.level > reached).map((s) => s.level) : [],
    });
  }
  const now2 = new Set(after.filter((x) => x.status === 'pending').map((x) => x.id));
  const removed = before.filter((x) => x.status === 'pending' && !now2.has(x.id)).map((x) => x.id);
  return { diff: { moved, added, removed }, carriedKeys };
}

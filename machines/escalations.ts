// The escalation ladder over a measure's deadlines: which levels are due now, which level each
// deadline has reached, when the workflow must wake, and when an escalation ends. Pure, so the same
// answer comes out on replay, in the preview and in the unit tests.
//
// Two generations live here. Histories recorded before "one deadline, one ladder" raised every
// level at every due date at once, keyed `id@dueOn#level`: `dueEscalations`, `nextWakeup` and
// `escalationLevel` keep doing exactly that so those histories replay. Measures on the current code
// use `judgeLadders`: one ladder per deadline identity (`id#level`; a moved due date keeps the
// levels it reached), one escalation at the level now due when several steps have passed (an
// import, a worker down for days), and nothing raised until the measure has been quiet.
import { addToInstant, compareDates } from './dates';
import { isOverdue, type Deadline } from './deadlines';
import type { Facts } from './facts';
import type { EscalationStep } from '../policies/types';

export interface DueEscalation {
  /** Measure-local idempotency key (see above for its two formats). */
  key: string;
  deadline: Deadline;
  step: EscalationStep;
  /** The ladder the deadline belongs to (its identity across moves and extensions). */
  ladderId?: string;
  /** Lower levels already past that are not raised on their own (catch-up). */
  skipped?: number[];
}

/** The key of histories recorded before one ladder per deadline: deadline, due date and level. */
export function escalationKey(d: Deadline, level: number): string {
  return `${d.id}@${d.dueOn}#${level}`;
}

/** Each level is raised once, when the deadline has been overdue for the step's `after`. */
export function dueEscalations(
  ds: Deadline[],
  ladder: EscalationStep[],
  raised: ReadonlySet<string>,
  now: number,
): DueEscalation[] {
  const out: DueEscalation[] = [];
  for (const d of ds) {
    if (!isOverdue(d, now)) continue;
    for (const step of ladder) {
      const key = escalationKey(d, step.level);
      if (!raised.has(key) && now >= addToInstant(d.overdueAt, step.after)) out.push({ key, deadline: d, step });
    }
  }
  return out;
}

/** The next instant anything changes: a deadline falls due, becomes overdue, or climbs a level. */
export function nextWakeup(
  ds: Deadline[],
  ladder: EscalationStep[],
  raised: ReadonlySet<string>,
  now: number,
): number | undefined {
  let next: number | undefined;
  const consider = (t: number) => {
    if (t > now && (next === undefined || t < next)) next = t;
  };
  for (const d of ds) {
    if (d.status !== 'pending') continue;
    consider(d.dueAt);
    consider(d.overdueAt);
    for (const step of ladder)
      if (!raised.has(escalationKey(d, step.level))) consider(addToInstant(d.overdueAt, step.after));
  }
  return next;
}

/** The highest level raised for this deadline at its current due date (0 when none). */
export function escalationLevel(d: Deadline, raised: ReadonlySet<string>, ladder: EscalationStep[]): number {
  let level = 0;
  for (const step of ladder) if (raised.has(escalationKey(d, step.level))) level = Math.max(level, step.level);
  return level;
}

// ---- One deadline, one ladder ----

/** A deadline's identity for escalation: its id, with an extension's suffix dropped
 *  (`reassessment#1.2` is `reassessment#1` extended twice: the same limit, moved). */
export function ladderOf(deadlineId: string): string {
  return deadlineId.replace(/\.\d+$/, '');
}

export function ladderKey(ladderId: string, level: number): string {
  return `${ladderId}#${level}`;
}

/** The highest level each ladder has reached, read from raised keys of either format, so that a
 *  measure carried over from the due-date keys keeps what it reached. */
export function reachedLevels(raised: Iterable<string>): Map<string, number> {
  const reached = new Map<string, number>();
  for (const key of raised) {
    const hash = key.lastIndexOf('#');
    const level = Number(key.slice(hash + 1));
    if (hash <= 0 || !Number.isInteger(level)) continue;
    const id = key.slice(0, hash).split('@')[0];
    const l = ladderOf(id);
    if (level > (reached.get(l) ?? 0)) reached.set(l, level);
  }
  return reached;
}

export function levelReached(d: Deadline, reached: ReadonlyMap<string, number>): number {
  return reached.get(ladderOf(d.id)) ?? 0;
}

export interface LadderJudgement {
  /** At most one per deadline: the highest level now due above the level it reached. */
  due: DueEscalation[];
  /** The next instant anything changes (a deadline falls due or overdue, a step, the end of the
   *  settling window while an escalation waits for it). */
  wake?: number;
  /** Escalations due but held back because the measure is not yet quiet. */
  held: number;
}

/** `quietFrom`: the instant the settling window ends (the last event applied plus the window);
 *  no escalation is raised before it, so that a replay of a case system's log that meets a
 *  deadline a few events later raises nothing for it. */
export function judgeLadders(
  ds: Deadline[],
  ladder: EscalationStep[],
  reached: ReadonlyMap<string, number>,
  now: number,
  quietFrom = Number.NEGATIVE_INFINITY,
): LadderJudgement {
  let wake: number | undefined;
  const consider = (t: number) => {
    if (t > now && (wake === undefined || t < wake)) wake = t;
  };
  const due: DueEscalation[] = [];
  let held = 0;
  for (const d of ds) {
    if (d.status !== 'pending') continue;
    consider(d.dueAt);
    consider(d.overdueAt);
    const ladderId = ladderOf(d.id);
    const level = reached.get(ladderId) ?? 0;
    const above = ladder.filter((s) => s.level > level);
    const past = isOverdue(d, now) ? above.filter((s) => now >= addToInstant(d.overdueAt, s.after)) : [];
    const top = past.reduce<EscalationStep | undefined>((m, s) => (!m || s.level > m.level ? s : m), undefined);
    if (top && now < quietFrom) {
      held++;
      consider(quietFrom);
    } else if (top) {
      due.push({
        key: ladderKey(ladderId, top.level),
        deadline: d,
        step: top,
        ladderId,
        skipped: past.filter((s) => s !== top).map((s) => s.level),
      });
    }
    for (const s of above) if (!top || s.level > top.level) consider(addToInstant(d.overdueAt, s.after));
  }
  return { due, wake, held };
}

/** How an escalation ended: its deadline met after it was due (`met-late`) or by its due date but
 *  reported after the escalation (`met`); the deadline cancelled by a closure, ended by a package
 *  change or removed by a policy change (`cancelled`); or moved (a policy change, an extension,
 *  an earlier anchor) to a date not yet passed (`superseded`). */
export type Resolution = 'met' | 'met-late' | 'cancelled' | 'superseded';

export interface LadderResolution {
  ladderId: string;
  resolution: Resolution;
  /** The deadline ids the ladder has had (an extension adds one), for the rows to resolve. */
  deadlineIds: string[];
}

/** The open ladders (an escalation raised and not yet resolved) whose deadline is no longer
 *  overdue, and why. */
export function resolutions(ds: Deadline[], facts: Facts, open: Iterable<string>, now: number): LadderResolution[] {
  const cancelling = new Set([...facts.periods.slice(1).map((p) => p.eventId), facts.closed?.eventId]);
  const out: LadderResolution[] = [];
  for (const ladderId of open) {
    const members = ds.filter((d) => ladderOf(d.id) === ladderId);
    const ids = [...new Set([ladderId, ...members.map((d) => d.id)])];
    const current = members.find((d) => d.status === 'pending') ?? members[members.length - 1];
    let resolution: Resolution | undefined;
    if (!current) resolution = 'cancelled';
    else if (current.status === 'pending') resolution = isOverdue(current, now) ? undefined : 'superseded';
    else if (current.status === 'cancelled' || cancelling.has(current.settledBy)) resolution = 'cancelled';
    else resolution = isLate(current) ? 'met-late' : 'met';
    if (resolution) out.push({ ladderId, resolution, deadlineIds: ids });
  }
  return out;
}

/** A deadline met after its due date: on a later day, or (sub-day rules) after its instant. */
export function isLate(d: Deadline): boolean {
  if (d.status !== 'met' || d.metOn === undefined) return false;
  if (d.metAt !== undefined && d.dueAt === d.overdueAt) return d.metAt > d.dueAt;
  return compareDates(d.metOn, d.dueOn) > 0;
}

// The escalation ladder over a measure's deadlines: which levels are due now, which level each
// deadline has reached, and the next instant anything changes (when the workflow wakes). Pure, so
// the same answer comes out on replay, in the preview and in the unit tests.
import { addToInstant } from './dates';
import { isOverdue, type Deadline } from './deadlines';
import type { EscalationStep } from '../policies/types';

export interface DueEscalation {
  /** Measure-local idempotency key: deadline, its due date, and level. */
  key: string;
  deadline: Deadline;
  step: EscalationStep;
}

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

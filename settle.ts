// The settling window (INDSATSFLOW_SETTLE): how long a measure must be without a new event before
// an escalation is raised, so that a case system replaying its log event by event raises nothing
// for a deadline a later event of the replay meets. Escalations come that much later.
import { Temporal } from 'temporal-polyfill';

export const DEFAULT_SETTLE = 'PT30S';
/** Longer would hold every escalation back for longer than anyone expects of an alarm. */
const MAX_SETTLE_SECONDS = 3600;

/** The window as a time-only ISO duration; refuses (at start) what is not one or is too long. */
export function settleWindow(raw: string | undefined): string {
  const value = raw?.trim() || DEFAULT_SETTLE;
  let seconds: number;
  try {
    const d = Temporal.Duration.from(value);
    if (d.years || d.months || d.weeks || d.days || d.sign < 0) throw new Error('not a time');
    seconds = d.total({ unit: 'seconds' });
  } catch {
    throw new Error(
      `INDSATSFLOW_SETTLE must be an ISO duration of hours, minutes or seconds (e.g. PT30S), not ${value}`,
    );
  }
  if (seconds > MAX_SETTLE_SECONDS)
    throw new Error(`INDSATSFLOW_SETTLE is at most PT1H (escalations would wait that long); got ${value}`);
  return value;
}

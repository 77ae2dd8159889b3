// Building machine events in the pure machine tests: numbered event ids, a fixed clock.
import type { MeasureEvent } from '../../machines/events';

export type Ev<T extends MeasureEvent['type']> = Extract<MeasureEvent, { type: T }>;

/** The clock the machine tests read unless a test is about time: 2026-11-30, 11:00 in Copenhagen. */
export const NOW = Date.parse('2026-11-30T10:00:00Z');

/** Noon in Copenhagen on a date (CET; a CEST date is still inside the same Danish day). */
export const noon = (date: string) => Date.parse(`${date}T12:00:00+01:00`);

/** An event factory whose ids are unique within a source (`dubu/haderslev/evt-1`, ...). */
export function eventsFrom(source: string) {
  let seq = 0;
  return function ev<T extends MeasureEvent['type']>(type: T, data: Ev<T>['data'], at = NOW): Ev<T> {
    return { eventId: `${source}/evt-${++seq}`, at, type, data } as Ev<T>;
  };
}

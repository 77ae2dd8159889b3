// Building machine events in the pure machine tests: numbered event ids, a fixed clock.
import assert from 'node:assert/strict';
import type { Deadline } from '../../machines/deadlines';
import type { MeasureEvent } from '../../machines/event-catalogue';
import { deadlines, type MeasureSnapshot } from '../../machines/measure';

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

/** The deadline with this id; fails the test, listing the ids there are, when it is missing. */
export function byId(s: MeasureSnapshot, id: string): Deadline {
  const d = deadlines(s).find((x) => x.id === id);
  assert.ok(
    d,
    `deadline ${id} exists (have ${deadlines(s)
      .map((x) => x.id)
      .join(', ')})`,
  );
  return d;
}

/** (id, expectedFrom, dueOn, status) of every deadline, in order. */
export const table = (s: MeasureSnapshot) =>
  deadlines(s).map((d) => [d.id, d.expectedFrom ?? null, d.dueOn, d.status] as const);

/** Where a deadline's rule comes from, as `document:lines`, or the kind of source. */
export const lines = (d: Deadline) =>
  d.source.kind === 'seed' ? `${d.source.document}:${d.source.lines}` : d.source.kind;

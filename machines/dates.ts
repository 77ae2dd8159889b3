// Calendar arithmetic in Danish time, on top of temporal-polyfill (a maintained implementation of
// TC39 Temporal) rather than hand-rolled millisecond maths: month-end clamping and DST are its job.
// Pure and deterministic, so it runs inside the workflow sandbox as well as in the API.
import { Temporal } from 'temporal-polyfill';
import type { DurationRange, IsoDuration } from '../policies/types';

export const ZONE = 'Europe/Copenhagen';

/** A calendar date, YYYY-MM-DD, in Danish local time. */
export type IsoDate = string;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  try {
    return Temporal.PlainDate.from(s, { overflow: 'reject' }).toString() === s;
  } catch {
    return false;
  }
}

/** True when the duration has an hour, minute or second part (test policies, hour-based ladders). */
export function hasTimePart(d: IsoDuration): boolean {
  return d.includes('T');
}

// Deriving a measure's deadlines does the same few date sums over and over (a preview simulates
// thousands of measures); parsing dominated the profile. Results are pure, so they are memoised,
// in maps bounded so that a long-running process does not grow without end.
const MEMO_LIMIT = 50_000;
function memo<R>(f: (key: string) => R): (key: string) => R {
  const m = new Map<string, R>();
  return (key) => {
    let r = m.get(key);
    if (r === undefined) {
      if (m.size >= MEMO_LIMIT) m.clear();
      m.set(key, (r = f(key)));
    }
    return r;
  };
}

const duration = memo((d) => Temporal.Duration.from(d));
const sum = memo((key) => {
  const [date, d] = key.split('|');
  return Temporal.PlainDate.from(date).add(duration(d), { overflow: 'constrain' }).toString();
});
const dayStart = memo((date) => Temporal.PlainDate.from(date).toZonedDateTime(ZONE).epochMilliseconds);

/** 2026-08-31 + P6M = 2027-02-28: the day is clamped to the month's last day. */
export function addToDate(date: IsoDate, d: IsoDuration): IsoDate {
  return sum(`${date}|${d}`);
}

/** Adds a duration to an instant as a Dane would: days are calendar days in Copenhagen (23 or 25
 *  hours across a DST change), hours are hours. */
export function addToInstant(epochMs: number, d: IsoDuration): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(ZONE).add(duration(d)).epochMilliseconds;
}

/** The instant a Danish calendar day begins. */
export function startOfDay(date: IsoDate): number {
  return dayStart(date);
}

/** A deadline dated `dueOn` is overdue from the start of the next day, Danish time. */
export function overdueInstant(dueOn: IsoDate): number {
  return startOfDay(addToDate(dueOn, 'P1D'));
}

/** The Danish calendar date of an instant. */
export function dateOf(epochMs: number): IsoDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(ZONE).toPlainDate().toString();
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0; // ISO dates order lexically
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b;
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Temporal.PlainDate.from(a).until(Temporal.PlainDate.from(b), { largestUnit: 'days' }).days;
}

export function isRange(after: IsoDuration | DurationRange): after is DurationRange {
  return typeof after === 'object';
}

/** The upper bound of a rule: when it becomes overdue. */
export function upperBound(after: IsoDuration | DurationRange): IsoDuration {
  return isRange(after) ? after.max : after;
}

export function lowerBound(after: IsoDuration | DurationRange): IsoDuration | undefined {
  return isRange(after) ? after.min : undefined;
}

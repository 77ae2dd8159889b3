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

// ---- Days as integers ----
// The hot path (deriving deadlines on every event and wake, judging ladders) does its calendar
// sums on epoch days, integers, and formats an ISO date only where one leaves this module: the
// facts, the deadlines and the views keep ISO dates (they are persisted and replayed as such).
// temporal-polyfill stays the reference for anything these integer paths do not cover (negative or
// mixed durations, instants before 1980) and for the instants Danish days begin (DST).

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** 1980-01-01: from here on Copenhagen is always UTC+1 or UTC+2. */
const FAST_FROM_MS = 315_532_800_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function epochDay(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The ISO date of an epoch day (civil_from_days). */
function isoOfDay(z: number): IsoDate {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1]);

/** A duration the integer paths handle: date parts only, or time parts only, none negative. */
interface Parts {
  years: number;
  months: number;
  days: number;
  /** Exact milliseconds (hours, minutes, whole seconds). */
  ms: number;
}
const PARTS_RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const parts = memo((d): Parts | null => {
  const m = PARTS_RE.exec(d);
  if (!m || d === 'P' || d.endsWith('T')) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  const p = { years: n(1), months: n(2), days: 7 * n(3) + n(4), ms: n(5) * HOUR_MS + n(6) * 60_000 + n(7) * 1000 };
  // A duration with both date and time parts goes to the reference implementation.
  return p.ms > 0 && (p.years || p.months || p.days) ? null : p;
});

/** The year, month and day of a real ISO date from 1000 to 9999, else null (the reference
 *  implementation then answers, or refuses, as before). */
function ymd(date: IsoDate): [number, number, number] | null {
  if (!DATE_RE.test(date)) return null;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  return y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? [y, m, d] : null;
}

/** Years and months first, the day clamped to the month's end, then days: Temporal's order. */
function addDays([y0, m0, d0]: [number, number, number], p: Parts): number {
  let y = y0 + p.years;
  let m = m0 + p.months;
  y += Math.floor((m - 1) / 12);
  m = ((m - 1) % 12) + 1;
  return epochDay(y, m, Math.min(d0, daysInMonth(y, m))) + p.days;
}

const sum = memo((key) => {
  const [date, d] = key.split('|');
  const p = parts(d);
  const from = ymd(date);
  if (p && p.ms === 0 && from) {
    const r = isoOfDay(addDays(from, p));
    if (r.length === 10) return r;
  }
  return Temporal.PlainDate.from(date).add(duration(d), { overflow: 'constrain' }).toString();
});
const dayStart = memo((date) => Temporal.PlainDate.from(date).toZonedDateTime(ZONE).epochMilliseconds);

/** 2026-08-31 + P6M = 2027-02-28: the day is clamped to the month's last day. */
export function addToDate(date: IsoDate, d: IsoDuration): IsoDate {
  return sum(`${date}|${d}`);
}

// Instants with a date-and-time duration added, by duration: the ladder's steps are added to the
// same few overdue instants on every wake.
const instantSums = new Map<IsoDuration, Map<number, number>>();

/** Adds a duration to an instant as a Dane would: days are calendar days in Copenhagen (23 or 25
 *  hours across a DST change), hours are hours. */
export function addToInstant(epochMs: number, d: IsoDuration): number {
  const p = parts(d);
  // Hours, minutes and seconds are exact time, whatever the day.
  if (p && p.years === 0 && p.months === 0 && p.days === 0) return epochMs + p.ms;
  // Calendar days from the start of a Danish day end at the start of a Danish day (midnight exists
  // on every day in Copenhagen: the clocks change at 02:00 and 03:00).
  if (p && epochMs >= FAST_FROM_MS) {
    const date = dateOf(epochMs);
    if (startOfDay(date) === epochMs) return startOfDay(addToDate(date, d));
  }
  let byMs = instantSums.get(d);
  if (!byMs) instantSums.set(d, (byMs = new Map()));
  let r = byMs.get(epochMs);
  if (r === undefined) {
    if (byMs.size >= MEMO_LIMIT) byMs.clear();
    r = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(ZONE).add(duration(d)).epochMilliseconds;
    byMs.set(epochMs, r);
  }
  return r;
}

/** The instant a Danish calendar day begins. */
export function startOfDay(date: IsoDate): number {
  return dayStart(date);
}

/** A deadline dated `dueOn` is overdue from the start of the next day, Danish time. */
export function overdueInstant(dueOn: IsoDate): number {
  return startOfDay(addToDate(dueOn, 'P1D'));
}

/** The Danish calendar date of an instant. Copenhagen is UTC+1 or UTC+2: where the two readings
 *  name the same day, that is the day; else the later day, once it has begun. */
export function dateOf(epochMs: number): IsoDate {
  if (epochMs >= FAST_FROM_MS) {
    const winter = Math.floor((epochMs + HOUR_MS) / DAY_MS);
    const summer = Math.floor((epochMs + 2 * HOUR_MS) / DAY_MS);
    if (winter === summer) return isoOfDay(winter);
    const later = isoOfDay(summer);
    return startOfDay(later) <= epochMs ? later : isoOfDay(winter);
  }
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
  const x = ymd(a);
  const y = ymd(b);
  if (x && y) return epochDay(...y) - epochDay(...x);
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

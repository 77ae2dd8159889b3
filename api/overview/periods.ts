// The windows the overview counts in: quarters and calendar months, as Danish dates.
import { Temporal } from 'temporal-polyfill';
import type { IsoDate } from '../../machines/dates';

export interface Period {
  /** YYYY-MM for a month, YYYY-Qn for a quarter. */
  key: string;
  from: IsoDate;
  to: IsoDate;
  /** In Danish: "2. kvartal 2026", "marts 2026". */
  label: string;
  /** Short label for the chart's axis: "mar 26". */
  short: string;
}

const MONTHS = [
  'januar',
  'februar',
  'marts',
  'april',
  'maj',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'december',
];
const SHORT = ['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];

const plain = (d: IsoDate) => Temporal.PlainDate.from(d);

export function monthOf(date: IsoDate): Period {
  const first = plain(date).with({ day: 1 });
  const last = first.add({ months: 1 }).subtract({ days: 1 });
  const key = first.toString().slice(0, 7);
  return {
    key,
    from: first.toString(),
    to: last.toString(),
    label: `${MONTHS[first.month - 1]} ${first.year}`,
    short: `${SHORT[first.month - 1]} ${String(first.year).slice(2)}`,
  };
}

/** The `n` calendar months ending with the one `date` is in, oldest first. */
export function monthsEndingWith(date: IsoDate, n: number): Period[] {
  const first = plain(date).with({ day: 1 });
  return Array.from({ length: n }, (_, i) => monthOf(first.subtract({ months: n - 1 - i }).toString()));
}

/** Every month from the one `from` is in to the one `to` is in. */
export function monthsBetween(from: IsoDate, to: IsoDate): Period[] {
  const out: Period[] = [];
  for (let m = monthOf(from); m.key <= to.slice(0, 7); m = monthOf(plain(m.to).add({ days: 1 }).toString()))
    out.push(m);
  return out;
}

export function quarterOf(date: IsoDate): Period {
  const d = plain(date);
  const q = Math.floor((d.month - 1) / 3);
  const first = d.with({ month: q * 3 + 1, day: 1 });
  const last = first.add({ months: 3 }).subtract({ days: 1 });
  return {
    key: `${d.year}-Q${q + 1}`,
    from: first.toString(),
    to: last.toString(),
    label: `${q + 1}. kvartal ${d.year}`,
    short: `${q + 1}. kvt. ${d.year}`,
  };
}

export function previousQuarter(q: Period): Period {
  return quarterOf(plain(q.from).subtract({ days: 1 }).toString());
}

/** The twelve months up to and including `date`: from the day after the same date a year before. */
export function lastTwelveMonths(date: IsoDate): { from: IsoDate; to: IsoDate } {
  return { from: plain(date).subtract({ years: 1 }).add({ days: 1 }).toString(), to: date };
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return plain(date).add({ days }).toString();
}

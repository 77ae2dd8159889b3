// Delivery caps: what the provider may deliver per calendar week, month or year ("5-7 aftaler pr
// uge", "maksimalt 2 timer ugentligt"), summed over the `measure.delivery-reported` events dated in
// the same period. A package's appointments are a soft cap of their own (the package describes its
// intensity; more is an exception or a package combination); `deliveryCaps` add the seeds' other
// caps, hard or soft. Pure: the rules (rules.ts) refuse or warn from what this finds.
import { Temporal } from 'temporal-polyfill';
import { compareDates, type IsoDate } from './dates';
import type { Facts } from './facts';
import type { DeliveryCap, MeasureTypePolicy } from '../policies/types';

export type Per = DeliveryCap['per'];

/** The calendar period a date falls in: Monday to Sunday, the month, or the year. */
export function periodOf(on: IsoDate, per: Per): { from: IsoDate; to: IsoDate } {
  const d = Temporal.PlainDate.from(on);
  if (per === 'week') {
    const from = d.subtract({ days: d.dayOfWeek - 1 });
    return { from: from.toString(), to: from.add({ days: 6 }).toString() };
  }
  if (per === 'month') {
    const from = d.with({ day: 1 });
    return { from: from.toString(), to: from.add({ months: 1 }).subtract({ days: 1 }).toString() };
  }
  return { from: `${d.year}-01-01`, to: `${d.year}-12-31` };
}

/** The package in force on a date: the latest package period started by then. */
export function packageOn(f: Facts, on: IsoDate): string | undefined {
  let pkg: string | undefined;
  for (const p of f.periods) if (compareDates(p.startOn, on) <= 0) pkg = p.package;
  return pkg ?? f.periods[0]?.package;
}

/** The caps that apply to a delivery on a date: the type's own caps (those of the package in force,
 *  or of no package) and, as a soft cap, the package's appointments. */
export function capsOn(t: MeasureTypePolicy, f: Facts, on: IsoDate): DeliveryCap[] {
  const pkg = packageOn(f, on);
  const caps = (t.deliveryCaps ?? []).filter((c) => !c.package || c.package === pkg);
  const p = t.packages.find((x) => x.slug === pkg);
  if (p?.appointments)
    caps.push({
      unit: 'appointments',
      max: p.appointments.max,
      per: p.appointments.per,
      package: p.slug,
      strength: 'soft',
      source: p.source,
    });
  return caps;
}

export interface CapExceeded {
  cap: DeliveryCap;
  from: IsoDate;
  to: IsoDate;
  total: number;
}

/** The caps a delivery on `on` of `hours`/`appointments` goes beyond, given the deliveries already
 *  recorded in `f` (the new one not among them). */
export function capsExceeded(
  t: MeasureTypePolicy,
  f: Facts,
  on: IsoDate,
  amount: { hours?: number; appointments?: number },
): CapExceeded[] {
  const out: CapExceeded[] = [];
  for (const cap of capsOn(t, f, on)) {
    const add = amount[cap.unit] ?? 0;
    if (add === 0) continue;
    const { from, to } = periodOf(on, cap.per);
    const before = (f.deliveries ?? [])
      .filter((d) => compareDates(d.deliveredOn, from) >= 0 && compareDates(d.deliveredOn, to) <= 0)
      .reduce((n, d) => n + (d[cap.unit] ?? 0), 0);
    if (before + add > cap.max) out.push({ cap, from, to, total: before + add });
  }
  return out;
}

const UNIT_DA = { hours: 'timer', appointments: 'aftaler' } as const;
const PER_DA = { week: 'om ugen', month: 'om måneden', year: 'om året' } as const;

/** "7 aftaler om ugen" */
export const capInDanish = (c: DeliveryCap) => `${c.max} ${UNIT_DA[c.unit]} ${PER_DA[c.per]}`;

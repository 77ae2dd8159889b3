// Calendar arithmetic in Danish time (machines/dates.ts), against the contract's examples
// (docs/event-contract.md, "Date arithmetic"), leap years, DST, and properties.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';

import {
  addToDate,
  addToInstant,
  compareDates,
  dateOf,
  daysBetween,
  isIsoDate,
  overdueInstant,
  startOfDay,
} from '../machines/dates';

const HOUR = 3_600_000;

describe('addToDate: the contract examples', () => {
  test('2026-08-03 + P4W = 2026-08-31', () => {
    assert.equal(addToDate('2026-08-03', 'P4W'), '2026-08-31');
  });
  test('2026-09-01 + P3M = 2026-12-01', () => {
    assert.equal(addToDate('2026-09-01', 'P3M'), '2026-12-01');
  });
  test('2026-08-31 + P6M = 2027-02-28 (clamped to the month end)', () => {
    assert.equal(addToDate('2026-08-31', 'P6M'), '2027-02-28');
  });
});

describe('addToDate: leap years', () => {
  test('2027-08-31 + P6M = 2028-02-29 (2028 is a leap year)', () => {
    assert.equal(addToDate('2027-08-31', 'P6M'), '2028-02-29');
  });
  test('2024-02-29 + P1Y = 2025-02-28', () => {
    assert.equal(addToDate('2024-02-29', 'P1Y'), '2025-02-28');
  });
  test('2024-02-29 + P4Y = 2028-02-29 (no clamping needed)', () => {
    assert.equal(addToDate('2024-02-29', 'P4Y'), '2028-02-29');
  });
  test('2026-02-28 + P1D = 2026-03-01, 2028-02-28 + P1D = 2028-02-29', () => {
    assert.equal(addToDate('2026-02-28', 'P1D'), '2026-03-01');
    assert.equal(addToDate('2028-02-28', 'P1D'), '2028-02-29');
  });
});

describe('overdueInstant and startOfDay across DST', () => {
  test('the day after 2026-03-28 (DST starts 2026-03-29) begins at 23:00Z on 2026-03-28', () => {
    assert.equal(overdueInstant('2026-03-28'), Date.parse('2026-03-28T23:00:00Z'));
  });
  test('the day after 2026-10-24 (DST ends 2026-10-25) begins at 22:00Z on 2026-10-24', () => {
    assert.equal(overdueInstant('2026-10-24'), Date.parse('2026-10-24T22:00:00Z'));
  });
  test('the DST-change days are 23 and 25 hours long', () => {
    assert.equal(overdueInstant('2026-03-29') - startOfDay('2026-03-29'), 23 * HOUR);
    assert.equal(overdueInstant('2026-10-25') - startOfDay('2026-10-25'), 25 * HOUR);
    assert.equal(overdueInstant('2026-08-31') - startOfDay('2026-08-31'), 24 * HOUR);
  });
  test('summer and winter midnights', () => {
    assert.equal(startOfDay('2026-08-31'), Date.parse('2026-08-30T22:00:00Z'));
    assert.equal(startOfDay('2027-01-15'), Date.parse('2027-01-14T23:00:00Z'));
  });
});

describe('dateOf near midnight, Copenhagen', () => {
  test('summer (UTC+2)', () => {
    assert.equal(dateOf(Date.parse('2026-08-30T21:59:59.999Z')), '2026-08-30');
    assert.equal(dateOf(Date.parse('2026-08-30T22:00:00.000Z')), '2026-08-31');
  });
  test('winter (UTC+1), across the year end', () => {
    assert.equal(dateOf(Date.parse('2026-12-31T22:59:59.999Z')), '2026-12-31');
    assert.equal(dateOf(Date.parse('2026-12-31T23:00:00.000Z')), '2027-01-01');
  });
  test('late evening UTC is already tomorrow in Copenhagen', () => {
    assert.equal(dateOf(Date.parse('2026-11-30T23:30:00Z')), '2026-12-01');
  });
});

describe('addToInstant', () => {
  test('P1D across the spring change is 23 hours', () => {
    const t = Date.parse('2026-03-28T12:00:00Z'); // 13:00 CET
    assert.equal(addToInstant(t, 'P1D') - t, 23 * HOUR);
    assert.equal(addToInstant(t, 'P1D'), Date.parse('2026-03-29T11:00:00Z')); // 13:00 CEST
  });
  test('P1D across the autumn change is 25 hours', () => {
    const t = Date.parse('2026-10-24T12:00:00Z'); // 14:00 CEST
    assert.equal(addToInstant(t, 'P1D') - t, 25 * HOUR);
  });
  test('PT24H is 24 hours even across the change', () => {
    const t = Date.parse('2026-03-28T12:00:00Z');
    assert.equal(addToInstant(t, 'PT24H') - t, 24 * HOUR);
  });
  test('an ordinary day is 24 hours', () => {
    const t = Date.parse('2026-08-03T12:00:00Z');
    assert.equal(addToInstant(t, 'P1D') - t, 24 * HOUR);
  });
});

describe('isIsoDate', () => {
  test('accepts real dates, rejects impossible and malformed ones', () => {
    assert.equal(isIsoDate('2028-02-29'), true);
    assert.equal(isIsoDate('2027-02-29'), false);
    assert.equal(isIsoDate('2026-13-01'), false);
    assert.equal(isIsoDate('2026-8-3'), false);
  });
});

// ---- properties ----------------------------------------------------------------------------

const DAY_MS = 86_400_000;
/** Any calendar date between 1950 and 2100, as YYYY-MM-DD (built without the code under test). */
const isoDate = fc
  .integer({ min: Math.floor(Date.UTC(1950, 0, 1) / DAY_MS), max: Math.floor(Date.UTC(2100, 11, 31) / DAY_MS) })
  .map((days) => new Date(days * DAY_MS).toISOString().slice(0, 10));

const parts = (d: string) => d.split('-').map(Number) as [number, number, number];
const daysInMonth = (year: number, month1: number) => new Date(Date.UTC(year, month1, 0)).getUTCDate();

describe('properties', () => {
  test('addToDate(d, PnM) lands in month(d)+n, on day(d) clamped to that month', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 0, max: 120 }), (d, n) => {
        const r = addToDate(d, `P${n}M`);
        const [y, m, day] = parts(d);
        const [ry, rm, rday] = parts(r);
        const target = y * 12 + (m - 1) + n;
        assert.equal(ry * 12 + (rm - 1), target, `${d} + P${n}M = ${r}: wrong month`);
        assert.ok(rday <= day, `${d} + P${n}M = ${r}: day grew`);
        assert.equal(rday, Math.min(day, daysInMonth(ry, rm)), `${d} + P${n}M = ${r}: wrong day`);
        assert.ok(isIsoDate(r));
      }),
      { numRuns: 500 },
    );
  });

  test('addToDate(d, P1D) is the next calendar day: daysBetween = 1', () => {
    fc.assert(
      fc.property(isoDate, (d) => {
        const next = addToDate(d, 'P1D');
        assert.equal(daysBetween(d, next), 1);
        assert.equal(daysBetween(next, d), -1);
        assert.equal(compareDates(d, next), -1);
        assert.equal(new Date(next).getTime() - new Date(d).getTime(), DAY_MS);
      }),
      { numRuns: 500 },
    );
  });

  test('overdueInstant(d) is after startOfDay(d), and the instant before it is still d', () => {
    fc.assert(
      fc.property(isoDate, (d) => {
        const over = overdueInstant(d);
        const start = startOfDay(d);
        assert.ok(over > start);
        assert.ok([23, 24, 25].includes((over - start) / HOUR), `${d} is ${(over - start) / HOUR} hours long`);
        assert.equal(dateOf(over - 1), d);
        assert.equal(dateOf(start), d);
        assert.equal(dateOf(over), addToDate(d, 'P1D'));
      }),
      { numRuns: 500 },
    );
  });
});

// The hot path does its sums on integer days (issue 14); temporal-polyfill stays the reference.
describe('the integer day arithmetic agrees with temporal-polyfill', () => {
  const ZONE = 'Europe/Copenhagen';
  const durations = ['P0D', 'P1D', 'P14D', 'P2W', 'P6W', 'P1M', 'P3M', 'P6M', 'P1Y', 'P17Y6M', 'P1Y2M3W4D'];
  const times = ['PT1H', 'PT30M', 'PT2H30M', 'PT45S'];
  // 1980 to 2100, often within hours of a Danish midnight (the DST nights included).
  const instant = fc
    .tuple(fc.integer({ min: 315_532_800_000, max: 4_102_444_800_000 }), fc.integer({ min: -3, max: 3 }), fc.boolean())
    .map(([ms, h, atMidnight]) =>
      atMidnight
        ? Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(ZONE).startOfDay().epochMilliseconds + h * HOUR
        : ms,
    );

  test('dateOf and addToInstant', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...durations, ...times), (ms, d) => {
        const zoned = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(ZONE);
        assert.equal(dateOf(ms), zoned.toPlainDate().toString());
        assert.equal(addToInstant(ms, d), zoned.add(Temporal.Duration.from(d)).epochMilliseconds);
      }),
      { numRuns: 3000 },
    );
  });

  test('addToDate and daysBetween', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...durations), fc.integer({ min: -1000, max: 1000 }), (ms, d, n) => {
        const day = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(ZONE).toPlainDate();
        assert.equal(
          addToDate(day.toString(), d),
          day.add(Temporal.Duration.from(d), { overflow: 'constrain' }).toString(),
        );
        const other = day.add({ days: n });
        assert.equal(daysBetween(day.toString(), other.toString()), n);
      }),
      { numRuns: 3000 },
    );
  });
});

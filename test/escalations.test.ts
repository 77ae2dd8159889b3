// The escalation ladder, pure, with dates worked out by hand: one escalation at the level now due
// when several steps have passed (catch-up), nothing until the measure is quiet (settling), one
// ladder per deadline whatever its due date, old due-date keys still read, and how an escalation
// ends. Hjørring's ladder: caseworker at once, team leader after 5 days, department head after 10.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { overdueInstant, startOfDay } from '../machines/dates';
import type { Deadline } from '../machines/deadlines';
import {
  escalationKey,
  isLate,
  judgeLadders,
  ladderKey,
  ladderOf,
  reachedLevels,
  resolutions,
} from '../machines/escalations';
import { emptyFacts, type Facts } from '../machines/facts';
import type { EscalationStep } from '../policies/types';

const setting = { kind: 'policy-setting' as const, note: 'test' };
const LADDER: EscalationStep[] = [
  { level: 1, role: 'sagsbehandler', after: 'P0D', source: setting },
  { level: 2, role: 'teamleder', after: 'P5D', source: setting },
  { level: 3, role: 'afdelingsleder', after: 'P10D', source: setting },
];

/** A calendar deadline due on `dueOn`: overdue from the start of the next Danish day. */
function deadline(id: string, dueOn: string, more: Partial<Deadline> = {}): Deadline {
  return {
    id,
    kind: id.replace(/#.*$/, ''),
    dueOn,
    dueAt: startOfDay(dueOn),
    overdueAt: overdueInstant(dueOn),
    status: 'pending',
    basis: 'municipal',
    strength: 'hard',
    source: setting,
    ...more,
  };
}

/** Noon, Danish winter time (UTC+1), on a date. */
const noon = (date: string) => Date.parse(`${date}T11:00:00Z`);
const none = new Map<string, number>();

describe('catch-up: one escalation at the level now due', () => {
  // The first follow-up was due 2026-09-29: overdue from 09-30 00:00, team leader from 10-05,
  // department head from 10-10.
  const ff = deadline('first-follow-up', '2026-09-29');

  test('an import judged long after every step raises one escalation, to the department head', () => {
    const j = judgeLadders([ff], LADDER, none, noon('2026-12-01'));
    assert.equal(j.due.length, 1);
    assert.equal(j.due[0].step.level, 3);
    assert.equal(j.due[0].step.role, 'afdelingsleder');
    assert.deepEqual(j.due[0].skipped, [1, 2]);
    assert.equal(j.due[0].key, 'first-follow-up#3');
    assert.equal(j.wake, undefined, 'nothing left to climb');
  });

  test('between the second and third step: the team leader, and a wake-up for the third', () => {
    const j = judgeLadders([ff], LADDER, none, noon('2026-10-07'));
    assert.deepEqual(
      j.due.map((d) => [d.step.level, d.step.role]),
      [[2, 'teamleder']],
    );
    assert.equal(j.wake, startOfDay('2026-10-10'));
  });

  test('a worker down across two steps after level 1: only the level now due', () => {
    const j = judgeLadders([ff], LADDER, new Map([['first-follow-up', 1]]), noon('2026-10-12'));
    assert.deepEqual(
      j.due.map((d) => [d.step.level, d.skipped]),
      [[3, [2]]],
    );
  });

  test('a level reached is not raised again; a deadline not yet overdue raises nothing', () => {
    assert.equal(judgeLadders([ff], LADDER, new Map([['first-follow-up', 3]]), noon('2026-12-01')).due.length, 0);
    const future = deadline('follow-up#1', '2026-12-15');
    const j = judgeLadders([future], LADDER, none, noon('2026-12-01'));
    assert.equal(j.due.length, 0);
    assert.equal(j.wake, startOfDay('2026-12-15'), 'wakes when it falls due');
  });
});

describe('settling: nothing until the measure has been quiet', () => {
  const ff = deadline('first-follow-up', '2026-09-29');
  const now = noon('2026-12-01');

  test('an event applied 10 s ago with a 30 s window: held, and a wake-up when the window ends', () => {
    const quietFrom = now + 20_000;
    const j = judgeLadders([ff], LADDER, none, now, quietFrom);
    assert.equal(j.due.length, 0);
    assert.equal(j.held, 1);
    assert.equal(j.wake, quietFrom);
  });

  test('once quiet, the escalation at the level now due', () => {
    const j = judgeLadders([ff], LADDER, none, now, now - 1);
    assert.deepEqual(
      j.due.map((d) => d.step.level),
      [3],
    );
  });

  test('no escalation waiting: the window does not wake the measure', () => {
    const future = deadline('follow-up#1', '2026-12-15');
    assert.equal(judgeLadders([future], LADDER, none, now, now + 20_000).wake, startOfDay('2026-12-15'));
  });
});

describe('one deadline, one ladder', () => {
  test('a deadline whose date moved keeps the level it reached', () => {
    // The treatment plan reached the team leader at 2026-10-01; an early startup meeting moved it
    // to 2026-09-20. Still overdue, past the department head's step: only level 3 is new.
    const moved = deadline('treatment-plan', '2026-09-20');
    const reached = reachedLevels([ladderKey('treatment-plan', 1), ladderKey('treatment-plan', 2)]);
    assert.equal(reached.get('treatment-plan'), 2);
    assert.equal(judgeLadders([moved], LADDER, reached, noon('2026-09-25')).due.length, 0, 'no level again');
    assert.deepEqual(
      judgeLadders([moved], LADDER, reached, noon('2026-10-02')).due.map((d) => d.key),
      ['treatment-plan#3'],
    );
  });

  test('keys of the due-date format (earlier runs) are read as the same ladder', () => {
    const old = deadline('follow-up#2', '2026-10-01');
    const reached = reachedLevels([escalationKey(old, 1), escalationKey(old, 2), 'first-follow-up@2026-08-01#3']);
    assert.deepEqual(
      [...reached],
      [
        ['follow-up#2', 2],
        ['first-follow-up', 3],
      ],
    );
    const movedLater = deadline('follow-up#2', '2026-09-01');
    assert.deepEqual(
      judgeLadders([movedLater], LADDER, reached, noon('2026-12-01')).due.map((d) => d.step.level),
      [3],
    );
  });

  test('an extension continues the reassessment ladder it extends', () => {
    assert.equal(ladderOf('reassessment#1.2'), 'reassessment#1');
    assert.equal(ladderOf('follow-up#12'), 'follow-up#12');
    const extended = deadline('reassessment#1.1', '2026-10-01');
    const reached = reachedLevels([ladderKey('reassessment#1', 3)]);
    assert.equal(judgeLadders([extended], LADDER, reached, noon('2026-12-01')).due.length, 0);
  });
});

describe('how an escalation ends', () => {
  const now = noon('2026-12-01');
  const facts = (more: Partial<Facts> = {}): Facts => ({ ...emptyFacts(), ...more });
  const ended = (ds: Deadline[], f: Facts, open = ['first-follow-up']) =>
    resolutions(ds, f, open, now).map((r) => [r.ladderId, r.resolution]);

  test('met after its due date: met-late; met by its due date (reported late): met', () => {
    const late = deadline('first-follow-up', '2026-09-29', { status: 'met', metOn: '2026-11-30', settledBy: 'e/1' });
    assert.equal(isLate(late), true);
    assert.deepEqual(ended([late], facts()), [['first-follow-up', 'met-late']]);
    const onTime = deadline('first-follow-up', '2026-09-29', { status: 'met', metOn: '2026-09-29', settledBy: 'e/1' });
    assert.equal(isLate(onTime), false);
    assert.deepEqual(ended([onTime], facts()), [['first-follow-up', 'met']]);
  });

  test('still overdue: stays open', () => {
    assert.deepEqual(ended([deadline('first-follow-up', '2026-09-29')], facts()), []);
  });

  test('cancelled by closure, ended by a package change, removed by a policy change', () => {
    const closedBy = { eventId: 'e/close', at: now, closedOn: '2026-11-30', reason: 'goal-reached' as const };
    const cancelled = deadline('first-follow-up', '2026-09-29', { status: 'cancelled', settledBy: 'e/close' });
    assert.deepEqual(ended([cancelled], facts({ closed: closedBy })), [['first-follow-up', 'cancelled']]);

    const periods = [
      { eventId: 'e/grant', at: now, startOn: '2026-03-01' },
      { eventId: 'e/pkg', at: now, startOn: '2026-11-20', package: 'groen' },
    ];
    const reassessment = deadline('reassessment#1', '2026-09-01', {
      status: 'met',
      metOn: '2026-11-20',
      settledBy: 'e/pkg',
    });
    assert.deepEqual(ended([reassessment], facts({ periods }), ['reassessment#1']), [['reassessment#1', 'cancelled']]);

    assert.deepEqual(ended([], facts()), [['first-follow-up', 'cancelled']]);
  });

  test('moved to a date not yet passed: superseded; an extension, with every id of the ladder', () => {
    assert.deepEqual(ended([deadline('first-follow-up', '2026-12-20')], facts()), [['first-follow-up', 'superseded']]);
    const r = resolutions(
      [
        deadline('reassessment#1', '2026-09-01', { status: 'met', metOn: '2026-11-25', settledBy: 'e/ext' }),
        deadline('reassessment#1.1', '2027-03-01'),
      ],
      facts(),
      ['reassessment#1'],
      now,
    );
    assert.deepEqual(r, [
      { ladderId: 'reassessment#1', resolution: 'superseded', deadlineIds: ['reassessment#1', 'reassessment#1.1'] },
    ]);
  });

  test('a sub-day deadline (test policies) is late by the instant it was met', () => {
    const at = Date.parse('2026-12-01T10:00:00Z');
    const d = { ...deadline('first-follow-up', '2026-12-01'), dueAt: at, overdueAt: at, status: 'met' as const };
    assert.equal(isLate({ ...d, metOn: '2026-12-01', metAt: at + 5_000 }), true);
    assert.equal(isLate({ ...d, metOn: '2026-12-01', metAt: at - 5_000 }), false);
  });
});

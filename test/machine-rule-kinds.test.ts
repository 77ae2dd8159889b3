// The rule kinds beyond Hjørring's, each on a small policy with dates worked out by hand, so the
// machine's general mechanisms are pinned independently of any one municipality's data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apply, check, deadlines, newMeasure, tick, type MeasureSnapshot } from '../machines/measure';
import type { MeasureEvent } from '../machines/event-catalogue';
import { warnings } from '../machines/rules';
import type { MeasureTypePolicy, ObligationRule, RuleSource } from '../policies/types';
import { fastMeasureType, testPolicy } from './fixtures/test-policy';

const NOW = Date.parse('2026-11-30T10:00:00Z');
const src: RuleSource = { kind: 'policy-setting', note: 'test' };
let n = 0;
const ev = (type: MeasureEvent['type'], data: Record<string, unknown>, at = NOW) =>
  ({ type, eventId: `t/${++n}`, at, data }) as MeasureEvent;
const grant = (extra: Record<string, unknown> = {}) =>
  ev('measure.granted', {
    municipality: 'testby',
    measureType: 'hurtig-stoette',
    package: 'roed',
    caseId: 'C',
    caseworkerId: 'cw',
    grantedOn: '2026-01-05',
    startOn: '2026-01-05',
    ...extra,
  });
const fu = (heldOn: string, extra: Record<string, unknown> = {}) =>
  ev('measure.follow-up-held', { heldOn, participants: ['executor', 'parents'], actionPlanDecision: 'keep', ...extra });

function type(over: Partial<MeasureTypePolicy>): MeasureTypePolicy {
  return fastMeasureType({
    firstFollowUp: { after: 'P6W', from: 'start', strength: 'hard', source: src },
    followUp: { after: { min: 'P6W', max: 'P8W' }, from: 'previous-follow-up', strength: 'hard', source: src },
    reassessment: null,
    ...over,
  });
}
const run = (t: MeasureTypePolicy, events: MeasureEvent[], now = NOW): MeasureSnapshot =>
  events.reduce((s, e) => apply(s, e, now), newMeasure(testPolicy(t)));
const get = (s: MeasureSnapshot, id: string) => {
  const d = deadlines(s).find((x) => x.id === id);
  assert.ok(
    d,
    `${id} in ${deadlines(s)
      .map((x) => x.id)
      .join(', ')}`,
  );
  return d;
};
const obligation = (
  o: Partial<ObligationRule> & Pick<ObligationRule, 'kind' | 'after' | 'from' | 'settledBy'>,
): ObligationRule => ({ name: o.kind, strength: 'hard', source: src, ...o });

describe('follow-up rhythms', () => {
  test('a range: expected from 6 weeks, overdue after 8', () => {
    const s = run(type({}), [grant(), fu('2026-02-10')]);
    const d = get(s, 'follow-up#1');
    assert.equal(d.expectedFrom, '2026-03-24'); // 2026-02-10 + 6 weeks
    assert.equal(d.dueOn, '2026-04-07'); // + 8 weeks
  });

  test('a rhythm that relaxes after 6 months: 6-8 weeks, then every 3 months', () => {
    const t = type({ followUpPhases: [{ fromAfterStart: 'P6M', every: 'P3M', strength: 'hard', source: src }] });
    const s = run(t, [grant(), fu('2026-02-10'), fu('2026-07-06')]);
    assert.equal(get(s, 'follow-up#1').dueOn, '2026-04-07'); // held before 2026-07-05: 8 weeks
    const later = get(s, 'follow-up#2');
    assert.equal(later.dueOn, '2026-10-06'); // held after 6 months: 3 months
    assert.equal(later.expectedFrom, undefined);
  });

  test('an agreed next meeting earlier than the rhythm becomes the deadline', () => {
    const t = type({ nextMeetingAgreed: { source: { kind: 'policy-setting', note: 'agreed at each follow-up' } } });
    const early = run(t, [grant(), fu('2026-02-10', { nextMeetingOn: '2026-03-01' })]);
    const d = get(early, 'follow-up#1');
    assert.equal(d.dueOn, '2026-03-01');
    assert.equal(d.alsoRequiredBy?.[0].dueOn, '2026-04-07');
    const late = run(t, [grant(), fu('2026-02-10', { nextMeetingOn: '2026-06-01' })]);
    assert.equal(get(late, 'follow-up#1').dueOn, '2026-04-07', 'a later agreed date does not loosen the rule');
  });
});

describe('obligations', () => {
  test('child conversations twice a year, each counted from the last one held', () => {
    const t = type({
      obligations: [
        obligation({
          kind: 'child-conversation',
          after: 'P6M',
          from: 'start',
          every: 'P6M',
          settledBy: { by: 'event' },
        }),
      ],
    });
    let s = run(t, [grant()]);
    assert.equal(get(s, 'child-conversation').dueOn, '2026-07-05');
    s = apply(s, ev('measure.obligation-met', { obligation: 'child-conversation', metOn: '2026-06-20' }), NOW);
    assert.equal(get(s, 'child-conversation').status, 'met');
    assert.equal(get(s, 'child-conversation#1').dueOn, '2026-12-20');
    assert.match(
      check(s, ev('measure.obligation-met', { obligation: 'visit', metOn: '2026-06-20' }), NOW) ?? '',
      /no obligation visit; it has child-conversation/,
    );
  });

  test('a prerequisite before start: met by the grant list, or later by an event', () => {
    const t = type({
      obligations: [
        obligation({
          kind: 'prerequisite-handleplan',
          after: 'P0D',
          from: 'start',
          settledBy: { by: 'event', document: 'handleplan' },
        }),
      ],
    });
    const inPlace = run(t, [grant({ prerequisites: ['handleplan'] })]);
    assert.equal(get(inPlace, 'prerequisite-handleplan').status, 'met');
    assert.equal(get(inPlace, 'prerequisite-handleplan').metOn, '2026-01-05');
    const missing = run(t, [grant()]);
    assert.equal(get(missing, 'prerequisite-handleplan').dueOn, '2026-01-05');
    assert.equal(get(missing, 'prerequisite-handleplan').status, 'pending');
    const late = apply(
      missing,
      ev('measure.obligation-met', { obligation: 'prerequisite-handleplan', metOn: '2026-01-20' }),
      NOW,
    );
    assert.equal(get(late, 'prerequisite-handleplan').metOn, '2026-01-20');
  });

  test('an intensive period of at most 6 weeks ends with a decision', () => {
    const t = type({
      obligations: [
        obligation({ kind: 'intensive-period-end', after: 'P6W', from: 'start', settledBy: { by: 'decision' } }),
      ],
    });
    // The decision carries its own date (issue 9.7): decided 2026-02-09, the new package from 2026-02-10.
    const s = run(t, [
      grant(),
      ev('measure.package-changed', {
        package: 'groen',
        effectiveOn: '2026-02-10',
        reason: 'intensive period over',
        decidedOn: '2026-02-09',
      }),
    ]);
    const d = get(s, 'intensive-period-end');
    assert.equal(d.dueOn, '2026-02-16');
    assert.equal(d.metOn, '2026-02-09');
  });

  test('an age rule counts from the birth date, and is absent without one', () => {
    const t = type({
      obligations: [
        obligation({ kind: 'aftercare-decision', after: 'P17Y6M', from: 'birth', settledBy: { by: 'event' } }),
      ],
    });
    assert.equal(get(run(t, [grant({ childBirthDate: '2009-08-31' })]), 'aftercare-decision').dueOn, '2027-02-28');
    assert.ok(!deadlines(run(t, [grant()])).some((d) => d.kind === 'aftercare-decision'));
  });

  test('a linked end: the placement ends, the measure must be decided on at once', () => {
    const t = type({
      obligations: [
        obligation({
          kind: 'end-after-placement-ended',
          after: 'P0D',
          from: 'child.placement-ended',
          settledBy: { by: 'closure' },
          forcesDecision: true,
        }),
      ],
    });
    let s = run(t, [grant(), fu('2026-02-10')]);
    assert.equal(s.state, 'following-up');
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-11-20' }), NOW);
    assert.equal(s.state, 'reassessment-due');
    assert.equal(get(s, 'end-after-placement-ended').dueOn, '2026-11-20');
    s = apply(s, ev('measure.closed', { closedOn: '2026-11-30', reason: 'placed' }), NOW);
    assert.equal(get(s, 'end-after-placement-ended').status, 'met');
  });

  test('a linked end three months after a placement falls due later, by the clock', () => {
    const t = type({
      obligations: [
        obligation({
          kind: 'end-after-placement',
          after: 'P3M',
          from: 'child.placed',
          settledBy: { by: 'closure' },
          forcesDecision: true,
        }),
      ],
    });
    let s = run(t, [grant(), fu('2026-02-10'), ev('child.placed', { placedOn: '2026-11-02' })]);
    assert.equal(get(s, 'end-after-placement').dueOn, '2027-02-02');
    assert.equal(s.state, 'following-up');
    s = tick(s, Date.parse('2027-02-02T12:00:00+01:00'));
    assert.equal(s.state, 'reassessment-due');
  });
});

describe('limits at grant and at closure', () => {
  test('granted only up to 12: refused for a 13-year-old, accepted for an 11-year-old', () => {
    const t = type({ grantAge: { max: 'P12Y', strength: 'hard', source: src } });
    const s0 = newMeasure(testPolicy(t));
    assert.match(
      check(s0, grant({ childBirthDate: '2012-06-01', startOn: '2026-01-05' }) as MeasureEvent, NOW) ?? '',
      /only up to the age of 12y/,
    );
    assert.equal(check(s0, grant({ childBirthDate: '2014-06-01' }) as MeasureEvent, NOW), null);
  });

  test('a soft age rule accepts the grant and says so', () => {
    const t = type({ grantAge: { max: 'P10Y', strength: 'soft', source: src } });
    const e = grant({ childBirthDate: '2014-06-01' }) as MeasureEvent;
    assert.equal(check(newMeasure(testPolicy(t)), e, NOW), null);
    assert.deepEqual(warnings(testPolicy(t), e), [
      {
        code: 'age-above-limit',
        message: `${t.name} bevilges som udgangspunkt til børn og unge under 10 år; barnet er 10 år eller ældre ved start 05.01.2026: bevillingen er registreret som en undtagelse`,
        detail:
          'hurtig-stoette can be granted only up to the age of 10y (the child must be younger than that at start); the child is not at start 2026-01-05 (a soft rule: accepted as an exception)',
      },
    ]);
    assert.deepEqual(warnings(testPolicy(t), grant({ childBirthDate: '2018-06-01' }) as MeasureEvent), []);
  });

  test('an order is not ended for lack of motivation', () => {
    const t = type({
      closeRestrictions: [
        {
          reasons: ['no-progress'],
          strength: 'hard',
          source: src,
          note: 'et pålæg afsluttes ikke pga. manglende motivation',
        },
      ],
    });
    const s = run(t, [grant()]);
    assert.match(
      check(s, ev('measure.closed', { closedOn: '2026-11-30', reason: 'no-progress' }), NOW) ?? '',
      /may not be closed with reason no-progress: et pålæg/,
    );
    assert.equal(check(s, ev('measure.closed', { closedOn: '2026-11-30', reason: 'goal-reached' }), NOW), null);
  });

  test('a count limit without a time limit ends the course at the count', () => {
    const t = type({ countLimit: { min: 1, max: 3, unit: 'samtaler', strength: 'hard', source: src } });
    let s = run(t, [
      grant(),
      ev('measure.session-held', { heldOn: '2026-01-10' }),
      ev('measure.session-held', { heldOn: '2026-01-17' }),
    ]);
    assert.ok(!deadlines(s).some((d) => d.kind === 'course-end'), 'no date before the count is reached');
    s = apply(s, ev('measure.session-held', { heldOn: '2026-01-24' }), NOW);
    assert.equal(get(s, 'course-end').dueOn, '2026-01-24');
    assert.equal(s.state, 'reassessment-due');
  });
});

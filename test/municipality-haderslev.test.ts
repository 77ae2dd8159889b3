// Haderslev (seed 001_f92068b97448aae5.txt, "Serviceniveauer for det specialiserede børneområde",
// revised 2019) as the machine sees it: one real measure of every rule kind the catalogue has, taken
// through its life. Every date is worked out by hand from the seed text; comments cite the seed line.
// Calendar arithmetic as in docs/event-contract.md (day clamped to the month's last day).
import { underSection95 } from '../machines/statutory';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apply, check, deadlines, newMeasure, RefusedEvent, tick, type MeasureSnapshot } from '../machines/measure';
import { displayStatus } from '../machines/deadlines';
import type { MeasureEvent } from '../machines/event-catalogue';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import type { MeasurePolicy } from '../policies/types';
import { eventsFrom, noon, NOW, type Ev, byId, table, lines } from './support/machine-events';

const SEED = '001_f92068b97448aae5.txt';
const ev = eventsFrom('dubu/haderslev');

function grant(measureType: string, startOn: string, extra: Partial<Ev<'measure.granted'>['data']> = {}) {
  return ev('measure.granted', {
    municipality: 'haderslev',
    measureType,
    caseId: 'C-1',
    caseworkerId: 'cw-1',
    grantedOn: startOn,
    startOn,
    ...extra,
  });
}
const followUp = (heldOn: string) =>
  ev('measure.follow-up-held', { heldOn, participants: ['executor', 'parents'], actionPlanDecision: 'keep' });
const session = (heldOn: string) => ev('measure.session-held', { heldOn });
const met = (obligation: string, metOn: string) => ev('measure.obligation-met', { obligation, metOn });
const closed = (closedOn: string, reason: Ev<'measure.closed'>['data']['reason'] = 'goal-reached') =>
  ev('measure.closed', { closedOn, reason });
const extended = (until: string, approvedBy: Ev<'measure.extended'>['data']['approvedBy'], at = NOW) =>
  ev('measure.extended', { until, approvedBy }, at);

function had(slug: string): MeasurePolicy {
  const p = resolveMeasurePolicy('haderslev', slug);
  assert.ok(p, `haderslev/${slug} is in the catalogue`);
  return p;
}
function run(slug: string, events: MeasureEvent[], now = NOW): MeasureSnapshot {
  return events.reduce((s, e) => apply(s, e, now), newMeasure(had(slug)));
}
const overdue = (s: MeasureSnapshot, now = NOW) =>
  deadlines(s)
    .filter((d) => displayStatus(d, now) === 'overdue')
    .map((d) => d.id);
function refused(s: MeasureSnapshot, e: MeasureEvent, pattern: RegExp, now = NOW) {
  const why = check(s, e, now);
  assert.ok(why !== null, `${e.type} is refused`);
  assert.match(why, pattern);
  assert.throws(
    () => apply(s, e, now),
    (err: unknown) => err instanceof RefusedEvent && err.message === why,
  );
}
const PRE4 = [
  'prerequisite-boernefaglig-undersoegelse',
  'prerequisite-handleplan',
  'prerequisite-udviklingsplan',
  'prerequisite-familieraadslagning',
];

describe('the Haderslev catalogue', () => {
  test('29 measure types: each of the 27 seed-catalogue records in exactly one, plus two variants', () => {
    const m = getMunicipality('haderslev');
    assert.ok(m);
    assert.equal(m.document.file, SEED);
    assert.equal(m.measureTypes.length, 29);
    const catIds = m.measureTypes.flatMap((t) => t.catalogueIds ?? []);
    assert.equal(catIds.length, 27);
    assert.equal(new Set(catIds).size, 27);
    assert.ok(catIds.every((id) => id.startsWith('had-')));
    assert.deepEqual(
      m.measureTypes
        .filter((t) => (t.catalogueIds ?? []).length === 0)
        .map((t) => t.slug)
        .sort(),
      ['doegninstitution-akut', 'praktisk-paedagogisk-stoette-intensiv'],
    );
    // BL § 95 stk. 1 covers §§ 32, 46, 47, 114-116 and 120: every SEL § 52 stk. 3 supportive measure
    // (nr. 1-6, 8, 9 → BL § 32), every placement (nr. 7 → BL §§ 46/47) and aftercare (SEL § 76 → BL § 114);
    // § 11 (BL § 29/30), § 52 a (BL § 35) and § 54 (BL § 75) do not.
    assert.deepEqual(
      m.measureTypes
        .filter((t) => underSection95(t))
        .map((t) => t.slug)
        .sort(),
      [
        'afgiftning',
        'aflastning',
        'aflastning-kompenserende',
        'dagtilbud-uddannelsessted',
        'doegninstitution',
        'doegninstitution-akut',
        'doegnophold-familie',
        'eftervaern',
        'eget-vaerelse-kollegium',
        'familiebehandling',
        'kommunal-plejefamilie',
        'kontaktperson',
        'kontaktperson-kompenserende',
        'kostskole-efterskole',
        'mestring-med-eget-netvaerk',
        'netvaerkspleje',
        'opholdssted',
        'plejefamilie',
        'praktikophold',
        'praktisk-paedagogisk-stoette',
        'praktisk-paedagogisk-stoette-intensiv',
        'praktisk-paedagogisk-stoette-kompenserende',
      ],
    );
    // The seed names no startup meeting or treatment plan anywhere.
    assert.ok(m.measureTypes.every((t) => t.startupMeeting === null && t.treatmentPlan === null));
    assert.deepEqual(
      m.escalation.map((e) => [e.level, e.role, e.after]),
      [
        [1, 'sagsbehandler', 'P0D'],
        [2, 'teamleder', 'P7D'],
        [3, 'afdelingsleder', 'P14D'],
      ],
    );
  });
});

describe('§ 11: counselling capped by a count', () => {
  test('anonym-raadgivning: the course ends at the third conversation (l.173 "maksimum 1-3 samtaler")', () => {
    let s = run('anonym-raadgivning', [
      grant('anonym-raadgivning', '2026-11-02'),
      session('2026-11-02'),
      session('2026-11-09'),
    ]);
    assert.equal(s.state, 'following-up');
    assert.deepEqual(table(s), [], 'no time limit: no date before the count is reached');
    s = apply(s, session('2026-11-16'), NOW);
    // l.173: the 3rd conversation, 2026-11-16, is the end of the course: a forced decision.
    assert.deepEqual(table(s), [['course-end', null, '2026-11-16', 'pending']]);
    assert.equal(s.state, 'reassessment-due');
    assert.equal(lines(byId(s, 'course-end')), `${SEED}:173`);
    s = apply(s, closed('2026-11-16'), NOW);
    assert.equal(s.state, 'closed');
    assert.equal(byId(s, 'course-end').status, 'met');
  });

  test('raadgivningsforloeb: at most 6 meetings within 3 months, and four prerequisites (l.254-264, 280-282)', () => {
    const g = grant('raadgivningsforloeb', '2026-09-01', { prerequisites: ['udviklingsplan', 'netvaerkskort'] });
    let s = run('raadgivningsforloeb', [g]);
    // l.280-282 "op til 3 måneder": 2026-09-01 + 3 months = 2026-12-01.
    assert.deepEqual(table(s), [
      ['course-end', null, '2026-12-01', 'pending'],
      ['prerequisite-almen-vurdering', null, '2026-09-01', 'pending'], // l.254: "Forud for indsatsen skal det være vurderet"
      ['prerequisite-udviklingsplan', null, '2026-09-01', 'met'], // l.262, in place at the grant
      ['prerequisite-netvaerkskort', null, '2026-09-01', 'met'],
      ['prerequisite-familieraadslagning', null, '2026-09-01', 'pending'], // l.262-264
    ]);
    assert.deepEqual(overdue(s), ['prerequisite-almen-vurdering', 'prerequisite-familieraadslagning']);
    s = apply(s, met('prerequisite-familieraadslagning', '2026-09-03'), NOW);
    assert.equal(byId(s, 'prerequisite-familieraadslagning').metOn, '2026-09-03');
    // l.280-282 "maksimum 6 møder": the 6th meeting on 2026-10-20 comes before the 3 months.
    for (const d of ['2026-09-08', '2026-09-15', '2026-09-22', '2026-09-29', '2026-10-06', '2026-10-20'])
      s = apply(s, session(d), NOW);
    assert.equal(byId(s, 'course-end').dueOn, '2026-10-20');
    assert.equal(s.state, 'reassessment-due');
  });
});

describe('§ 52 stk. 3: supportive measures, "som minimum hver 6-8 uge"', () => {
  test('dagtilbud-uddannelsessted: first follow-up 6-8 weeks from start, then 6-8 weeks from the last (l.348); prerequisites before start (l.326-330)', () => {
    let s = run('dagtilbud-uddannelsessted', [
      grant('dagtilbud-uddannelsessted', '2026-09-07', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] }),
    ]);
    assert.equal(s.state, 'awaiting-first-follow-up');
    assert.deepEqual(table(s), [
      // l.348: 2026-09-07 + 6 weeks = 2026-10-19 (expected), + 8 weeks = 2026-11-02 (deadline).
      ['first-follow-up', '2026-10-19', '2026-11-02', 'pending'],
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-09-07', 'met'],
      ['prerequisite-handleplan', null, '2026-09-07', 'met'],
      ['prerequisite-udviklingsplan', null, '2026-09-07', 'pending'],
      ['prerequisite-familieraadslagning', null, '2026-09-07', 'pending'],
    ]);
    const ff = byId(s, 'first-follow-up');
    assert.deepEqual([ff.basis, ff.strength, lines(ff)], ['municipal', 'hard', `${SEED}:348`]);
    // BL § 95 (3 months: 2026-12-07) is listed; the municipal 8 weeks is stricter.
    assert.deepEqual(
      ff.alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
      [['statutory', '2026-12-07']],
    );
    assert.deepEqual(overdue(s), [
      'first-follow-up',
      'prerequisite-udviklingsplan',
      'prerequisite-familieraadslagning',
    ]);
    s = apply(s, followUp('2026-10-26'), NOW);
    assert.equal(s.state, 'following-up');
    // l.348 again: 2026-10-26 + 6 weeks = 2026-12-07, + 8 weeks = 2026-12-21.
    assert.deepEqual(table(s).slice(0, 2), [
      ['first-follow-up', '2026-10-19', '2026-11-02', 'met'],
      ['follow-up#1', '2026-12-07', '2026-12-21', 'pending'],
    ]);
  });

  test('praktisk-paedagogisk-stoette: decided at the first follow-up, extended by the caseworker to at most 9 months (l.412-416)', () => {
    const start = '2026-09-07';
    let s = run('praktisk-paedagogisk-stoette', [
      grant('praktisk-paedagogisk-stoette', start, {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
    ]);
    // l.412-414: the decision falls at the first follow-up, 6-8 weeks: expected 2026-10-19, due 2026-11-02.
    assert.deepEqual(table(s), [
      ['first-follow-up', '2026-10-19', '2026-11-02', 'pending'],
      ['reassessment#1', '2026-10-19', '2026-11-02', 'pending'],
      ...PRE4.map((k) => [k, null, start, 'met'] as const),
    ]);
    assert.equal(s.state, 'reassessment-due', 'imported on 2026-11-30: the decision is overdue at once');
    s = apply(s, followUp('2026-10-26'), NOW);
    assert.equal(s.state, 'reassessment-due', 'a follow-up is not the decision');
    // l.414 "maksimalt ... 9 måneder": 2026-09-07 + 9 months = 2027-06-07; one day more is refused.
    refused(
      s,
      extended('2027-06-08', 'sagsbehandler', noon('2026-10-26')),
      /beyond the longest extension .* \(P9M .*: 2027-06-07\)/,
    );
    s = apply(s, extended('2027-06-07', 'sagsbehandler', noon('2026-10-26')), NOW);
    assert.equal(s.state, 'following-up');
    assert.equal(byId(s, 'reassessment#1').metOn, '2026-10-26');
    assert.deepEqual(
      [byId(s, 'reassessment#1.1').dueOn, byId(s, 'reassessment#1.1').status],
      ['2027-06-07', 'pending'],
    );
    // l.412: next follow-up 6-8 weeks after 2026-10-26.
    assert.deepEqual([byId(s, 'follow-up#1').expectedFrom, byId(s, 'follow-up#1').dueOn], ['2026-12-07', '2026-12-21']);
    // l.414-416 "Såfremt der ikke sker den forventede udvikling, skal indsatsen stoppe": a closure for no progress is accepted.
    s = apply(s, closed('2026-11-30', 'no-progress'), NOW);
    assert.equal(s.state, 'closed');
  });

  test('praktisk-paedagogisk-stoette-intensiv: at most 6 weeks, then a decision (l.408-410)', () => {
    let s = run('praktisk-paedagogisk-stoette-intensiv', [
      grant('praktisk-paedagogisk-stoette-intensiv', '2026-11-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
    ]);
    // l.408-410: 2026-11-02 + 6 weeks = 2026-12-14; first follow-up (l.412) 2026-12-14 to 2026-12-28.
    assert.deepEqual(byId(s, 'intensive-period-end').dueOn, '2026-12-14');
    assert.deepEqual(
      [byId(s, 'first-follow-up').expectedFrom, byId(s, 'first-follow-up').dueOn],
      ['2026-12-14', '2026-12-28'],
    );
    assert.equal(tick(s, Date.parse('2026-12-13T22:59:59.999Z')).state, 'awaiting-first-follow-up'); // 23:59:59.999 CET on 12-13
    s = tick(s, Date.parse('2026-12-13T23:00:00Z')); // 00:00 CET on 12-14: the limit is reached
    assert.equal(s.state, 'reassessment-due');
    const later = Date.parse('2026-12-15T10:00:00Z');
    refused(s, extended('2027-01-25', 'teamleder', later), /allows no extension/, later);
    refused(s, met('intensive-period-end', '2026-12-14'), /has no obligation intensive-period-end/, later);
    s = apply(s, closed('2026-12-14'), later);
    assert.deepEqual(
      [byId(s, 'intensive-period-end').status, byId(s, 'intensive-period-end').metOn],
      ['met', '2026-12-14'],
    );
  });

  test('praktisk-paedagogisk-stoette-kompenserende: no time limit, a new professional assessment before start (l.422-438)', () => {
    const s = run('praktisk-paedagogisk-stoette-kompenserende', [
      grant('praktisk-paedagogisk-stoette-kompenserende', '2026-11-02', { prerequisites: ['handleplan'] }),
    ]);
    assert.deepEqual(table(s), [
      ['first-follow-up', '2026-12-14', '2026-12-28', 'pending'], // l.440: 6-8 weeks
      ['prerequisite-ny-faglig-vurdering', null, '2026-11-02', 'pending'], // l.422-424
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-11-02', 'pending'], // l.426-430
      ['prerequisite-handleplan', null, '2026-11-02', 'met'],
      ['prerequisite-udviklingsplan', null, '2026-11-02', 'pending'],
      ['prerequisite-familieraadslagning', null, '2026-11-02', 'pending'],
    ]);
    assert.ok(
      !deadlines(tick(s, Date.parse('2030-01-01T12:00:00Z'))).some((d) => d.kind === 'reassessment'),
      'l.436 "ikke tidsbegrænset"',
    );
  });

  test('familiebehandling: first follow-up 6 weeks, 6 months (soft), 9 only with the team leader (l.495-503)', () => {
    const start = '2026-06-01';
    let s = run('familiebehandling', [
      grant('familiebehandling', start, {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
      followUp('2026-07-10'),
    ]);
    assert.deepEqual(table(s).slice(0, 3), [
      ['first-follow-up', null, '2026-07-13', 'met'], // l.497-499: 2026-06-01 + 6 weeks
      ['follow-up#1', '2026-08-21', '2026-09-04', 'pending'], // l.499-501: 2026-07-10 + 6 / 8 weeks
      ['reassessment#1', null, '2026-12-01', 'pending'], // l.495-497: + 6 months
    ]);
    assert.equal(byId(s, 'first-follow-up').alsoRequiredBy?.[0].dueOn, '2026-09-01'); // BL § 95
    assert.equal(byId(s, 'reassessment#1').strength, 'soft'); // "bør altid tilstræbes"
    assert.equal(s.state, 'following-up');
    assert.equal(tick(s, Date.parse('2026-11-30T22:59:59.999Z')).state, 'following-up');
    s = tick(s, Date.parse('2026-11-30T23:00:00Z')); // 00:00 CET on 12-01
    assert.equal(s.state, 'reassessment-due');
    const at = Date.parse('2026-12-01T10:00:00Z');
    // l.497 "I særlige tilfælde ... forlænges til 9 måneder": the team leader approves; 2026-06-01 + 9 months = 2027-03-01.
    refused(s, extended('2027-03-01', 'sagsbehandler', at), /must be approved by teamleder or afdelingsleder/, at);
    refused(s, extended('2027-03-02', 'teamleder', at), /2027-03-01/, at);
    s = apply(s, extended('2027-03-01', 'teamleder', at), at);
    assert.equal(s.state, 'following-up');
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2027-03-01');
  });

  test('doegnophold-familie: 2 weeks, then every 3 weeks, a weekly phone contact, at most 3 months (l.557-565)', () => {
    let s = run('doegnophold-familie', [
      grant('doegnophold-familie', '2026-11-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
    ]);
    assert.deepEqual(
      table(s).filter(([id]) => !id.startsWith('prerequisite-')),
      [
        ['first-follow-up', null, '2026-11-16', 'pending'], // l.559-561: 2 weeks after start
        ['reassessment#1', null, '2027-02-02', 'pending'], // l.557: 2026-11-02 + 3 months
        ['provider-phone-contact', null, '2026-11-09', 'pending'], // l.563-565: within a week
      ],
    );
    s = apply(s, followUp('2026-11-16'), NOW);
    s = apply(s, met('provider-phone-contact', '2026-11-06'), NOW);
    s = apply(s, met('provider-phone-contact', '2026-11-13'), NOW);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-12-07'); // l.561: 2026-11-16 + 3 weeks
    assert.deepEqual(
      [byId(s, 'provider-phone-contact#1').dueOn, byId(s, 'provider-phone-contact#1').metOn],
      ['2026-11-13', '2026-11-13'],
    ); // 11-06 + 1 week
    assert.deepEqual(
      [byId(s, 'provider-phone-contact#2').dueOn, byId(s, 'provider-phone-contact#2').status],
      ['2026-11-20', 'pending'],
    ); // 11-13 + 1 week
    assert.deepEqual(overdue(s), ['provider-phone-contact#2']);
    refused(s, extended('2027-03-02', 'afdelingsleder'), /allows no extension/); // l.557 "maksimalt"
  });

  test('aflastning: only from 3 and not over 13 (l.628), 3 months extendable to 6 (l.612-618), ends when the child is placed (l.630)', () => {
    const s0 = newMeasure(had('aflastning'));
    // l.628 "Børn under 3 år": born 2023-12-01 is 2 at the start 2026-11-02.
    assert.match(
      check(s0, grant('aflastning', '2026-11-02', { childBirthDate: '2023-12-01' }), NOW) ?? '',
      /only from the age of 3y/,
    );
    // "unge over 13 år": born 2012-10-01 turned 14 on 2026-10-01, before the start.
    assert.match(
      check(s0, grant('aflastning', '2026-11-02', { childBirthDate: '2012-10-01' }), NOW) ?? '',
      /only up to the age of 14y/,
    );
    // Born 2012-11-15 is still 13 at the start 2026-11-02.
    const g = grant('aflastning', '2026-11-02', {
      childBirthDate: '2012-11-15',
      prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
    });
    assert.equal(check(s0, g, NOW), null);
    let s = run('aflastning', [g]);
    assert.deepEqual(table(s).slice(0, 2), [
      ['first-follow-up', '2026-12-14', '2026-12-28', 'pending'], // l.633: 6-8 weeks
      ['reassessment#1', null, '2027-02-02', 'pending'], // l.612-616: maximum 3 months
    ]);
    // l.614-616 "forlængelse op til 6 måneder", read as 6 in total: 2026-11-02 + 6 months = 2027-05-02.
    refused(s, extended('2027-05-03', 'sagsbehandler'), /2027-05-02/);
    s = apply(s, extended('2027-05-02', 'sagsbehandler'), NOW);
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2027-05-02');
    // l.630 "Er barnet døgnanbragt ydes der ikke aflastning": placed on 2026-11-20, the measure must be decided on at once.
    s = apply(s, ev('child.placed', { placedOn: '2026-11-20' }), NOW);
    assert.equal(byId(s, 'end-when-placed').dueOn, '2026-11-20');
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2026-11-20', 'placed'), NOW);
    assert.deepEqual([byId(s, 'end-when-placed').status, s.state], ['met', 'closed']);
  });

  test("aflastning-kompenserende: the section's age limit only warns (soft), no time limit", () => {
    const s = run('aflastning-kompenserende', [
      grant('aflastning-kompenserende', '2026-11-02', { childBirthDate: '2012-10-01' }),
    ]);
    assert.equal(s.state, 'awaiting-first-follow-up', 'a 14-year-old is accepted: soft');
    assert.ok(!deadlines(s).some((d) => d.kind === 'reassessment'));
    assert.equal(byId(s, 'first-follow-up').dueOn, '2026-12-28'); // l.665
  });

  test('kontaktperson: 12-17 years (l.727), first follow-up after 6 weeks (l.750), 6 months soft, 9 with the team leader (l.738-744)', () => {
    const s0 = newMeasure(had('kontaktperson'));
    // Born 2015-06-01: 11 at the start 2026-09-01; born 2008-08-01: 18 on 2026-08-01.
    assert.match(
      check(s0, grant('kontaktperson', '2026-09-01', { childBirthDate: '2015-06-01' }), NOW) ?? '',
      /only from the age of 12y/,
    );
    assert.match(
      check(s0, grant('kontaktperson', '2026-09-01', { childBirthDate: '2008-08-01' }), NOW) ?? '',
      /only up to the age of 18y/,
    );
    const s = run('kontaktperson', [
      grant('kontaktperson', '2026-09-01', { childBirthDate: '2012-03-15' }),
      followUp('2026-10-12'),
    ]);
    assert.deepEqual(table(s).slice(0, 3), [
      ['first-follow-up', null, '2026-10-13', 'met'], // 2026-09-01 + 6 weeks
      ['follow-up#1', '2026-11-23', '2026-12-07', 'pending'], // l.752: 2026-10-12 + 6 / 8 weeks
      ['reassessment#1', null, '2027-03-01', 'pending'], // l.738-740: + 6 months
    ]);
    assert.equal(s.context.policy.measureType.reassessment?.maxExtendedTo, 'P9M');
    assert.deepEqual(s.context.policy.measureType.reassessment?.extensionApprovers, ['teamleder', 'afdelingsleder']);
  });

  test('kontaktperson-kompenserende: for the 15-17 year-olds the action plan must hold transition goals (l.774-776)', () => {
    // Born 2011-03-15: 15 on 2026-03-15, before the start 2026-09-01, so the goals are due at the start.
    let s = run('kontaktperson-kompenserende', [
      grant('kontaktperson-kompenserende', '2026-09-01', { childBirthDate: '2011-03-15' }),
    ]);
    assert.deepEqual(
      [
        byId(s, 'transition-goals').dueOn,
        displayStatus(byId(s, 'transition-goals'), noon('2026-09-01')),
        displayStatus(byId(s, 'transition-goals'), NOW),
      ],
      ['2026-09-01', 'pending', 'overdue'],
    );
    s = apply(s, met('transition-goals', '2026-09-01'), NOW);
    assert.equal(byId(s, 'transition-goals').status, 'met');
    // Born 2013-01-10: 13 at start; the goals fall due on the 15th birthday, 2028-01-10.
    const younger = run('kontaktperson-kompenserende', [
      grant('kontaktperson-kompenserende', '2026-09-01', { childBirthDate: '2013-01-10' }),
    ]);
    assert.equal(byId(younger, 'transition-goals').dueOn, '2028-01-10');
    assert.equal(byId(younger, 'first-follow-up').dueOn, '2026-10-27'); // l.792: 2026-09-01 + 8 weeks
  });

  test('praktikophold: 2 weeks, then every 4 weeks (l.1460-1462), at most 3 months (l.1440-1442, 1452)', () => {
    let s = run('praktikophold', [
      grant('praktikophold', '2026-10-05', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
    ]);
    assert.deepEqual(table(s).slice(0, 2), [
      ['first-follow-up', null, '2026-10-19', 'pending'],
      ['reassessment#1', null, '2027-01-05', 'pending'],
    ]);
    assert.equal(byId(s, 'first-follow-up').alsoRequiredBy?.[0].dueOn, '2027-01-05'); // BL § 95
    s = apply(s, followUp('2026-10-19'), NOW);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-16'); // 2026-10-19 + 4 weeks
    refused(s, extended('2027-02-05', 'teamleder'), /allows no extension/);
  });

  test('mestring-med-eget-netvaerk: every 4 weeks, intensive period 3-6 months, one year (l.1514-1520)', () => {
    let s = run('mestring-med-eget-netvaerk', [
      grant('mestring-med-eget-netvaerk', '2026-03-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
      followUp('2026-03-27'),
    ]);
    assert.deepEqual(table(s).slice(0, 3), [
      ['first-follow-up', null, '2026-03-30', 'met'], // l.1520: 2026-03-02 + 4 weeks
      ['follow-up#1', null, '2026-04-24', 'pending'], // 2026-03-27 + 4 weeks
      ['reassessment#1', null, '2027-03-02', 'pending'], // l.1516: one year
    ]);
    // l.1514: the intensive period ends 3 (expected 2026-06-02) to 6 months (due 2026-09-02) after start.
    assert.deepEqual(
      [byId(s, 'intensive-period-end').expectedFrom, byId(s, 'intensive-period-end').dueOn],
      ['2026-06-02', '2026-09-02'],
    );
    assert.equal(s.state, 'following-up', 'the end of the intensive period forces no decision');
    s = apply(s, met('intensive-period-end', '2026-07-15'), NOW);
    assert.equal(byId(s, 'intensive-period-end').metOn, '2026-07-15');
  });
});

describe('§ 52 stk. 3 nr. 7: placements', () => {
  test('netvaerkspleje: 6-8 weeks, after 6 months every 3 months (l.979-981); the target-group age only warns', () => {
    const g = grant('netvaerkspleje', '2026-01-05', {
      childBirthDate: '2007-12-01',
      prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
    });
    assert.equal(check(newMeasure(had('netvaerkspleje')), g, NOW), null, '18 at start: soft, accepted');
    const s = run('netvaerkspleje', [
      g,
      followUp('2026-02-27'),
      followUp('2026-04-20'),
      followUp('2026-06-12'),
      followUp('2026-08-03'),
    ]);
    assert.deepEqual(table(s).slice(0, 5), [
      ['first-follow-up', '2026-02-16', '2026-03-02', 'met'], // 2026-01-05 + 6 / 8 weeks
      ['follow-up#1', '2026-04-10', '2026-04-24', 'met'], // 2026-02-27 + 6 / 8 weeks
      ['follow-up#2', '2026-06-01', '2026-06-15', 'met'], // 2026-04-20 + 6 / 8 weeks
      ['follow-up#3', '2026-07-24', '2026-08-07', 'met'], // 2026-06-12 is before 2026-07-05 (start + 6 months): still 6-8 weeks
      ['follow-up#4', null, '2026-11-03', 'pending'], // 2026-08-03 is after: l.981 "minimum hver 3 måned"
    ]);
    // A placement is under BL § 95, jf. § 96: 3 months from 2026-01-05 is 2026-04-05; the municipal 8 weeks is stricter.
    assert.deepEqual(
      byId(s, 'first-follow-up').alsoRequiredBy?.map((a) => [
        a.basis,
        a.dueOn,
        a.source.kind === 'statute' && a.source.paragraph,
      ]),
      [['statutory', '2026-04-05', 'Barnets Lov § 95, jf. § 96']],
    );
    assert.equal(lines(byId(s, 'follow-up#4')), `${SEED}:979-981`);
    assert.ok(!deadlines(s).some((d) => d.kind === 'reassessment'));
  });

  test('plejefamilie: the same relaxed rhythm (l.1062-1064)', () => {
    const s = run('plejefamilie', [
      grant('plejefamilie', '2026-01-05'),
      followUp('2026-02-27'),
      followUp('2026-07-06'),
    ]);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-04-24');
    assert.deepEqual([byId(s, 'follow-up#2').expectedFrom, byId(s, 'follow-up#2').dueOn], [undefined, '2026-10-06']); // 2026-07-06 + 3 months
  });

  test('grant periods: kommunal plejefamilie and opholdssted 6 months, døgninstitution 3 months, afgiftning 1 month; closed, not extended', () => {
    // l.1152-1154, 1239-1241, 1316-1318, 1385-1387: "bevilges for N, hvorefter ... hjemgives eller placeres i en mindre indgribende foranstaltning".
    const cases: Array<[string, string, string, string]> = [
      ['kommunal-plejefamilie', '2026-10-05', '2027-04-05', '2026-11-30'], // first follow-up 6-8 weeks: due 2026-11-30 (l.1146)
      ['opholdssted', '2026-10-05', '2027-04-05', '2026-11-02'], // every 4 weeks (l.1237)
      ['doegninstitution', '2026-10-05', '2027-01-05', '2026-11-02'], // every 4 weeks (l.1314)
      ['afgiftning', '2026-11-16', '2026-12-16', '2026-11-23'], // weekly (l.1387)
    ];
    for (const [slug, start, limit, first] of cases) {
      const s = run(slug, [grant(slug, start)]);
      assert.equal(byId(s, 'reassessment#1').dueOn, limit, slug);
      assert.equal(byId(s, 'first-follow-up').dueOn, first, slug);
      assert.deepEqual(s.context.policy.measureType.reassessment?.outcomes, ['close'], slug);
      refused(s, extended('2027-12-31', 'afdelingsleder'), /allows no extension/);
    }
    let s = run('afgiftning', [
      grant('afgiftning', '2026-11-16', { childBirthDate: '2010-05-01' }),
      followUp('2026-11-23'),
    ]);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-30'); // 2026-11-23 + 1 week
    s = tick(s, Date.parse('2026-12-15T23:00:00Z')); // 00:00 CET on 12-16: the month is up
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2026-12-16', 'other'), Date.parse('2026-12-16T10:00:00Z'));
    assert.equal(byId(s, 'reassessment#1').metOn, '2026-12-16');
  });

  test('doegninstitution-akut: the four documents are due within 2 weeks of an acute placement (l.1310-1312)', () => {
    const s = run('doegninstitution-akut', [
      grant('doegninstitution-akut', '2026-10-05', { prerequisites: ['handleplan'] }),
    ]);
    // 2026-10-05 + 2 weeks = 2026-10-19; the ordinary placement wants them on 2026-10-05.
    assert.deepEqual(
      deadlines(s)
        .filter((d) => d.kind.startsWith('prerequisite-'))
        .map((d) => [d.kind, d.dueOn, d.status]),
      [
        ['prerequisite-boernefaglig-undersoegelse', '2026-10-19', 'pending'],
        ['prerequisite-handleplan', '2026-10-19', 'met'],
        ['prerequisite-udviklingsplan', '2026-10-19', 'pending'],
        ['prerequisite-familieraadslagning', '2026-10-19', 'pending'],
      ],
    );
    const ordinary = run('doegninstitution', [grant('doegninstitution', '2026-10-05')]);
    assert.equal(byId(ordinary, 'prerequisite-handleplan').dueOn, '2026-10-05');
    assert.equal(byId(s, 'reassessment#1').dueOn, '2027-01-05'); // same 3-month grant period (l.1316)
  });

  test('kostskole-efterskole: one year at a time, renewed by a new grant (l.846); two prerequisites before the grant (l.846-848)', () => {
    let s = run('kostskole-efterskole', [
      grant('kostskole-efterskole', '2026-08-10', { grantedOn: '2026-06-15', prerequisites: ['familieraadslagning'] }),
    ]);
    assert.deepEqual(table(s), [
      ['first-follow-up', '2026-09-21', '2026-10-05', 'pending'], // l.856: 2026-08-10 + 6 / 8 weeks
      ['reassessment#1', null, '2027-08-10', 'pending'], // one year
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-06-15', 'pending'], // before the grant (grantedOn)
      ['prerequisite-familieraadslagning', null, '2026-06-15', 'met'],
      // l.860: "Der skal altid forelægge en beregning af forældrenes egenbetaling"; l.814: "Kost og
      // efterskolen skal være godkendt som anbringelsessted": checklist items at the grant (issue 9.10).
      ['prerequisite-egenbetaling', null, '2026-06-15', 'pending'],
      ['prerequisite-godkendt-anbringelsessted', null, '2026-06-15', 'pending'],
    ]);
    s = apply(s, extended('2028-08-10', 'sagsbehandler'), NOW);
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2028-08-10');
  });

  test('eget-vaerelse-kollegium: 6-8 weeks, no grant period', () => {
    const s = run('eget-vaerelse-kollegium', [grant('eget-vaerelse-kollegium', '2026-11-02')]);
    assert.deepEqual(
      [byId(s, 'first-follow-up').expectedFrom, byId(s, 'first-follow-up').dueOn],
      ['2026-12-14', '2026-12-28'],
    ); // l.908
    assert.ok(!deadlines(s).some((d) => d.kind === 'reassessment'));
  });
});

describe('§ 52 a, § 54, § 76', () => {
  test('oekonomisk-stoette-efterskole: prerequisites before the grant, one year, 6-8 weeks (l.1577-1581, 1603)', () => {
    const s = run('oekonomisk-stoette-efterskole', [
      grant('oekonomisk-stoette-efterskole', '2026-08-10', {
        grantedOn: '2026-06-15',
        prerequisites: ['udviklingsplan', 'handleplan', 'familieraadslagning'],
      }),
    ]);
    assert.deepEqual(table(s), [
      ['first-follow-up', '2026-09-21', '2026-10-05', 'pending'],
      ['reassessment#1', null, '2027-08-10', 'pending'],
      ['prerequisite-udviklingsplan', null, '2026-06-15', 'met'],
      ['prerequisite-handleplan', null, '2026-06-15', 'met'],
      ['prerequisite-familieraadslagning', null, '2026-06-15', 'met'],
    ]);
    assert.equal(byId(s, 'first-follow-up').alsoRequiredBy, undefined, '§ 52 a is not under BL § 95');
  });

  test('economic support without timers: samvær transport has no deadline; the other two only prerequisites', () => {
    const samvaer = run('oekonomisk-stoette-samvaer', [grant('oekonomisk-stoette-samvaer', '2026-11-02')]);
    assert.deepEqual(table(samvaer), []);
    assert.equal(samvaer.state, 'following-up');
    refused(samvaer, session('2026-11-10'), /no count limit/); // l.1734-1736: a monthly rate, not tracked
    const fr = run('familieraadslagning-afledte-udgifter', [
      grant('familieraadslagning-afledte-udgifter', '2026-11-02', { prerequisites: ['netvaerkskort'] }),
    ]);
    assert.deepEqual(table(fr), [
      ['prerequisite-netvaerkskort', null, '2026-11-02', 'met'], // l.1633
      ['prerequisite-udviklingsplan', null, '2026-11-02', 'pending'],
    ]);
    const undgaa = run('oekonomisk-stoette-undgaa-anbringelse', [
      grant('oekonomisk-stoette-undgaa-anbringelse', '2026-11-02'),
    ]);
    assert.deepEqual(
      deadlines(undgaa).map((d) => d.kind),
      [
        'prerequisite-udviklingsplan',
        'prerequisite-netvaerkskort',
        'prerequisite-familieraadslagning',
        'prerequisite-handleplan',
      ],
    ); // l.1676-1682
  });

  test('stoetteperson: a handleplan at the start (l.1782); when the placement ends a decision is due (soft, inferred from l.1775)', () => {
    let s = run('stoetteperson', [grant('stoetteperson', '2026-09-01')]);
    assert.deepEqual(table(s), [['prerequisite-handleplan', null, '2026-09-01', 'pending']]);
    assert.equal(s.state, 'following-up');
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-11-20' }), NOW);
    const d = byId(s, 'end-after-placement-ended');
    assert.deepEqual([d.dueOn, d.strength, s.state], ['2026-11-20', 'soft', 'reassessment-due']);
    s = apply(s, closed('2026-11-25', 'goal-reached'), NOW);
    assert.equal(byId(s, 'end-after-placement-ended').metOn, '2026-11-25');
  });

  test('eftervaern starts at 18: it carries the limit at 23 (l.1806-1808), not the decision taken before it', () => {
    // Born 2009-02-28: 18 on 2027-02-28, 23 on 2032-02-28. Decided and granted on 2026-08-20, starts at 18.
    const g = grant('eftervaern', '2027-02-28', {
      grantedOn: '2026-08-20',
      childBirthDate: '2009-02-28',
      prerequisites: ['boernefaglig-undersoegelse', 'udviklingsplan', 'handleplan', 'familieraadslagning'],
    });
    let s = run('eftervaern', [g]);
    assert.deepEqual(table(s), [
      ['first-follow-up', '2027-04-11', '2027-04-25', 'pending'], // l.1893: 2027-02-28 + 6 / 8 weeks
      ['age-limit', null, '2032-02-28', 'pending'],
      ...['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'].map(
        (k) => [`prerequisite-${k}`, null, '2026-08-20', 'met'] as const,
      ), // l.1871-1875: before the decision
    ]);
    // Aftercare is under BL § 95 too (BL § 114): 2027-02-28 + 3 months = 2027-05-28, later than the municipal 8 weeks.
    assert.deepEqual(
      byId(s, 'first-follow-up').alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
      [['statutory', '2027-05-28']],
    );
    assert.deepEqual(overdue(s), []);
    s = tick(s, Date.parse('2032-02-27T23:00:00Z')); // 00:00 CET on the 23rd birthday
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2032-02-28', 'aged-out'), Date.parse('2032-02-28T10:00:00Z'));
    assert.equal(byId(s, 'age-limit').status, 'met');
  });

  test('the aftercare decision and UU half a year before 18 (l.1863, 1877-1879) fall on the contact person and the placement', () => {
    // Target group of efterværn (l.1848-1850): a fixed contact person or a placement just before 18.
    // Born 2009-02-28, contact person from 2026-03-02 (17 years): 2009-02-28 + 17 years 6 months = 2026-08-28.
    const s = run('kontaktperson', [
      grant('kontaktperson', '2026-03-02', { childBirthDate: '2009-02-28' }),
      met('aftercare-decision', '2026-08-20'),
    ]);
    assert.deepEqual(
      [byId(s, 'aftercare-decision').dueOn, byId(s, 'aftercare-decision').status, byId(s, 'aftercare-decision').metOn],
      ['2026-08-28', 'met', '2026-08-20'],
    );
    assert.deepEqual(
      [byId(s, 'uu-involved').dueOn, lines(byId(s, 'uu-involved'))],
      ['2026-08-28', `${SEED}:1877-1879`],
    );
    assert.ok(overdue(s).includes('uu-involved'));
    // The same on a placement: opholdssted from 2026-09-01, born 2009-05-10: 17½ on 2026-11-10.
    const placed = run('opholdssted', [grant('opholdssted', '2026-09-01', { childBirthDate: '2009-05-10' })]);
    assert.deepEqual(
      [byId(placed, 'aftercare-decision').dueOn, byId(placed, 'uu-involved').dueOn],
      ['2026-11-10', '2026-11-10'],
    );
  });

  test('nothing is due before the measure exists: a youth past 17½ at the start has the decision due at the start', () => {
    // Born 2008-12-31: 2008-12-31 + 17 years 6 months = 2026-06-30 (day clamped), before the start 2026-09-01.
    const s = run('kontaktperson', [
      grant('kontaktperson', '2026-09-01', { grantedOn: '2026-08-25', childBirthDate: '2008-12-31' }),
    ]);
    const d = byId(s, 'aftercare-decision');
    assert.deepEqual([d.dueOn, d.forcesDecision], ['2026-09-01', undefined]);
    // Not overdue at the grant or on the start day: nothing escalates at grant for the age; the day after, it is.
    assert.deepEqual(overdue(s, noon('2026-08-25')), []);
    assert.ok(!overdue(s, noon('2026-09-01')).includes('aftercare-decision'));
    assert.ok(overdue(s, noon('2026-09-02')).includes('aftercare-decision'));
    assert.notEqual(tick(s, noon('2026-09-02')).state, 'reassessment-due');
  });
});

// Issue 9 through the machine: the statutory floor follows from each type's legal basis, a soft
// municipal rule never swallows it, and policies stored before `blParagraphs` keep their meaning.
// Every date is worked out by hand beside the assertion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { addToDate } from '../machines/dates';
import { apply, check, deadlines, newMeasure, refusalOf } from '../machines/measure';
import { dkAge, dkDate, warnings } from '../machines/rules';
import { statutoryFirstFollowUp, underSection95 } from '../machines/statutory';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import { fastMeasureType, testPolicy } from './fixtures/test-policy';
import { byId, eventsFrom, NOW } from './support/machine-events';

const ev = eventsFrom('dubu/statute');

function grantOf(municipality: string, measureType: string, startOn: string, extra: Record<string, unknown> = {}) {
  return ev('measure.granted', {
    municipality,
    measureType,
    caseId: 'C-9',
    caseworkerId: 'cw-9',
    grantedOn: startOn,
    startOn,
    ...extra,
  });
}

describe('BL § 95 follows from the legal basis (issue 9.1)', () => {
  test('every placement and aftercare type of the five catalogues is under § 95', () => {
    const under: string[] = [];
    for (const m of ['haderslev', 'halsnaes', 'allerod'])
      for (const t of getMunicipality(m)!.measureTypes)
        if ((t.blParagraphs ?? []).some((p) => [46, 47, 114].includes(p)) && !(t.blParagraphs ?? []).includes(32))
          under.push(`${m}/${t.slug}`);
    // The 16 the review found without a statutory first follow-up.
    assert.equal(under.length, 16, under.join(', '));
    for (const id of under) {
      const [m, slug] = id.split('/');
      assert.ok(underSection95(resolveMeasurePolicy(m, slug)!.measureType), id);
    }
  });

  test('Haderslev opholdssted (BL § 46/47): § 95 jf. § 96 stands beside the municipal 4 weeks', () => {
    const p = resolveMeasurePolicy('haderslev', 'opholdssted')!;
    const s = apply(
      newMeasure(p),
      grantOf('haderslev', 'opholdssted', '2026-02-16', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
      NOW,
    );
    const ff = byId(s, 'first-follow-up');
    // 2026-02-16 + 4 weeks = 2026-03-16 (municipal); + 3 months = 2026-05-16 (statute)
    assert.deepEqual([ff.dueOn, ff.basis], ['2026-03-16', 'municipal']);
    assert.deepEqual(
      ff.alsoRequiredBy?.map((a) => [a.basis, a.dueOn, a.source.kind === 'statute' && a.source.paragraph]),
      [['statutory', '2026-05-16', 'Barnets Lov § 95, jf. § 96']],
    );
  });

  test('a § 32 measure keeps the plain § 95 source; § 30, § 35, § 75 and § 104 have none', () => {
    assert.deepEqual(statutoryFirstFollowUp({ blParagraphs: [32] })?.source, {
      kind: 'statute',
      paragraph: 'Barnets Lov § 95',
      note: 'første opfølgning senest 3 måneder efter iværksættelse (tidligere SEL § 70)',
    });
    for (const p of [30, 35, 75, 104]) assert.equal(statutoryFirstFollowUp({ blParagraphs: [p] }), null, `BL § ${p}`);
    for (const p of [114, 115, 116, 120]) assert.ok(statutoryFirstFollowUp({ blParagraphs: [p] }), `BL § ${p}`);
  });

  test('a policy stored before blParagraphs (running measures, older versions) keeps its flag', () => {
    const legacy = testPolicy(
      fastMeasureType({ blParagraphs: undefined, statutoryFollowUp: true, firstFollowUp: null, followUp: null }),
    );
    const s = apply(newMeasure(legacy), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed' }), NOW);
    // 2026-08-03 + 3 months = 2026-11-03
    assert.deepEqual([byId(s, 'first-follow-up').dueOn, byId(s, 'first-follow-up').basis], ['2026-11-03', 'statutory']);
    const none = testPolicy(
      fastMeasureType({ blParagraphs: undefined, statutoryFollowUp: false, firstFollowUp: null, followUp: null }),
    );
    const n = apply(newMeasure(none), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed' }), NOW);
    assert.deepEqual(
      deadlines(n).map((d) => d.kind),
      ['reassessment'],
    );
  });
});

describe('nothing is due before the measure exists (issue 9.3)', () => {
  test('a policy-set grace: an age passed before the start is due that long after it', () => {
    const t = fastMeasureType({
      obligations: [
        {
          kind: 'transition-plan',
          name: 'Handleplan for overgangen til voksenlivet',
          after: 'P17Y6M',
          from: 'birth',
          graceAfterStart: 'P1M',
          settledBy: { by: 'event' },
          strength: 'hard',
          source: { kind: 'policy-setting', note: 'test' },
        },
      ],
    });
    // Born 2008-12-31: 17½ on 2026-06-30, before the start 2026-08-03; + 1 month grace = 2026-09-03.
    const s = apply(
      newMeasure(testPolicy(t)),
      grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed', childBirthDate: '2008-12-31' }),
      NOW,
    );
    assert.equal(byId(s, 'transition-plan').dueOn, '2026-09-03');
    // Born 2009-05-10: 17½ on 2026-11-10, after the start: the age date itself.
    const y = apply(
      newMeasure(testPolicy(t)),
      grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed', childBirthDate: '2009-05-10' }),
      NOW,
    );
    assert.equal(byId(y, 'transition-plan').dueOn, '2026-11-10');
  });
});

describe('Hjørring: the rule kinds it had and did not use (issue 9.4)', () => {
  const HJ = '000_caf6e465e6fbee8a.txt';
  const hjGrant = (slug: string, pkg: string | undefined, startOn: string, prerequisites?: string[]) =>
    grantOf('hjorring', slug, startOn, {
      ...(pkg ? { package: pkg } : {}),
      ...(prerequisites ? { prerequisites } : {}),
    });

  test('støtteperson ends when the placement ends (l.784-787)', () => {
    const p = resolveMeasurePolicy('hjorring', 'stoetteperson')!;
    let s = apply(
      newMeasure(p),
      hjGrant('stoetteperson', 'stoetteperson', '2026-03-02', ['handleplan', 'foraeldrehandleplan']),
      NOW,
    );
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-10-15' }), NOW);
    const end = byId(s, 'end-after-placement-ended');
    assert.deepEqual(
      [end.dueOn, end.strength, end.source.kind === 'seed' && end.source.lines],
      ['2026-10-15', 'hard', '784-787'],
    );
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, ev('measure.closed', { closedOn: '2026-10-20', reason: 'placed' }), NOW);
    assert.deepEqual(
      [byId(s, 'end-after-placement-ended').status, byId(s, 'end-after-placement-ended').metOn],
      ['met', '2026-10-20'],
    );
  });

  test('støtteperson ends when the custody holder moves away (l.784-787)', () => {
    const p = resolveMeasurePolicy('hjorring', 'stoetteperson')!;
    let s = apply(
      newMeasure(p),
      hjGrant('stoetteperson', 'stoetteperson', '2026-03-02', ['handleplan', 'foraeldrehandleplan']),
      NOW,
    );
    s = apply(s, ev('family.moved-away', { movedOn: '2026-09-30' }), NOW);
    assert.deepEqual([byId(s, 'end-after-moved-away').dueOn, s.state], ['2026-09-30', 'reassessment-due']);
  });

  test('every Hjørring measure but Indsatsteamet is ordered with a handleplan (l.88 and its siblings; l.908 says none)', () => {
    const m = getMunicipality('hjorring')!;
    for (const t of m.measureTypes) {
      const o = (t.obligations ?? []).find((x) => x.kind === 'prerequisite-handleplan');
      if (t.slug === 'indsatsteamet') assert.equal(o, undefined, 'l.908: "Der er ikke krav om handleplan"');
      else assert.ok(o && o.strength === 'hard' && o.source.kind === 'seed' && o.source.document === HJ, t.slug);
    }
    // Granted 2026-11-30 without it: due that day, overdue from the next.
    const p = resolveMeasurePolicy('hjorring', 'familiebehandling')!;
    const s = apply(newMeasure(p), hjGrant('familiebehandling', 'roed', '2026-11-30'), NOW);
    const d = byId(s, 'prerequisite-handleplan');
    assert.deepEqual([d.dueOn, d.status], ['2026-11-30', 'pending']);
    const later = apply(
      s,
      ev('measure.obligation-met', { obligation: 'prerequisite-handleplan', metOn: '2026-11-30' }),
      NOW,
    );
    assert.equal(byId(later, 'prerequisite-handleplan').status, 'met');
  });
});

const session = (heldOn: string) => ev('measure.session-held', { heldOn });
const weekly = (from: string, n: number) => Array.from({ length: n }, (_, i) => addToDate(from, `P${i}W`));

describe('count limits can continue (issue 9.5)', () => {
  test('Norddjurs konsulentbistand: "evalueres efter max. 8 møder" (004 l.318-320) is a decision point', () => {
    const p = resolveMeasurePolicy('norddjurs', 'konsulentbistand')!;
    let s = apply(newMeasure(p), grantOf('norddjurs', 'konsulentbistand', '2026-03-02'), NOW);
    // Weekly from 2026-03-02: the 8th meeting is 2026-03-02 + 7 weeks = 2026-04-20.
    for (const d of weekly('2026-03-02', 8)) s = apply(s, session(d), NOW);
    assert.deepEqual([byId(s, 'course-end').dueOn, s.state], ['2026-04-20', 'reassessment-due']);
    // A 9th meeting before the evaluation: "max." is hard.
    assert.match(
      check(s, session('2026-04-27'), NOW) ?? '',
      /allows at most 8 møder and 8 have been held; a measure\.extended with a new count, approved by sagsbehandler, continues the course/,
    );
    assert.match(
      check(s, ev('measure.extended', { count: 12, approvedBy: 'teamleder' }), NOW) ?? '',
      /must be approved by sagsbehandler/,
    );
    assert.match(
      check(s, ev('measure.extended', { count: 8, approvedBy: 'sagsbehandler' }), NOW) ?? '',
      /does not continue the course beyond its current 8/,
    );
    // Evaluated on 2026-04-22: four more meetings.
    s = apply(s, ev('measure.extended', { count: 12, approvedBy: 'sagsbehandler', decidedOn: '2026-04-22' }), NOW);
    assert.deepEqual(
      [byId(s, 'course-end').status, byId(s, 'course-end').metOn, s.state],
      ['met', '2026-04-22', 'following-up'],
    );
    for (const d of weekly('2026-04-27', 4)) s = apply(s, session(d), NOW);
    // The 12th meeting: 2026-04-27 + 3 weeks = 2026-05-18; the limit keeps its rule and records the approver.
    const again = byId(s, 'course-end#1');
    assert.deepEqual(
      [again.dueOn, again.strength, again.approvedBy, again.source.kind === 'seed' && again.source.lines],
      ['2026-05-18', 'hard', 'sagsbehandler', '318-320'],
    );
    assert.equal(s.state, 'reassessment-due');
  });

  test('Haderslev anonym rådgivning: "maksimum 1-3 samtaler" (001 l.173) refuses a 4th', () => {
    const p = resolveMeasurePolicy('haderslev', 'anonym-raadgivning')!;
    let s = apply(newMeasure(p), grantOf('haderslev', 'anonym-raadgivning', '2026-03-02'), NOW);
    for (const d of ['2026-03-02', '2026-03-09', '2026-03-16']) s = apply(s, session(d), NOW);
    assert.match(check(s, session('2026-03-23'), NOW) ?? '', /allows at most 3 samtaler/);
    assert.match(
      check(s, ev('measure.extended', { count: 5, approvedBy: 'teamleder' }), NOW) ?? '',
      /allows no extension/,
    );
  });

  test('Halsnæs konsulentbistand: "som udgangspunkt 5-10 møder" (002 l.215-217) is soft: an 11th is accepted with a warning', () => {
    const p = resolveMeasurePolicy('halsnaes', 'konsulentbistand')!;
    let s = apply(newMeasure(p), grantOf('halsnaes', 'konsulentbistand', '2026-03-02'), NOW);
    for (const d of weekly('2026-03-02', 10)) s = apply(s, session(d), NOW);
    const eleventh = session('2026-05-11');
    assert.equal(check(s, eleventh, NOW), null);
    const after = apply(s, eleventh, NOW);
    const [w] = warnings(p, eleventh, after.context.facts);
    assert.equal(w.code, 'count-limit-exceeded');
    assert.match(w.detail, /session 11 is beyond the 10 møder .*soft/);
    assert.match(
      w.message,
      /som udgangspunkt højst 10 møder; nr\. 11 \(11\.05\.2026\) er registreret som en undtagelse/,
    );
    // Continued by the team leader with a new count: no warning for the 11th then.
    const x = apply(s, ev('measure.extended', { count: 14, approvedBy: 'teamleder', decidedOn: '2026-05-06' }), NOW);
    assert.deepEqual(warnings(p, eleventh, apply(x, eleventh, NOW).context.facts), []);
    assert.equal(byId(x, 'course-end').metOn, '2026-05-06');
  });
});

describe('an invented default never blocks a legal duty (issue 9.6)', () => {
  test('Hjørring familiebehandling: the startup meeting timer is a municipal default; a follow-up first is accepted with a warning', () => {
    const p = resolveMeasurePolicy('hjorring', 'familiebehandling')!;
    const s = apply(
      newMeasure(p),
      grantOf('hjorring', 'familiebehandling', '2026-11-02', { package: 'roed', prerequisites: ['handleplan'] }),
      NOW,
    );
    assert.equal(p.measureType.startupMeeting?.source.kind, 'policy-setting');
    const fu = ev('measure.follow-up-held', {
      heldOn: '2026-11-27',
      participants: ['executor', 'parents'],
      actionPlanDecision: 'keep',
    });
    assert.equal(check(s, fu, NOW), null);
    const after = apply(s, fu, NOW);
    // First follow-up: 2026-11-02 + 4 weeks = 2026-11-30 (000 l.194), met 2026-11-27.
    assert.deepEqual(
      [byId(after, 'first-follow-up').dueOn, byId(after, 'first-follow-up').metOn],
      ['2026-11-30', '2026-11-27'],
    );
    const [w] = warnings(p, fu, after.context.facts);
    assert.equal(w.code, 'follow-up-before-startup-meeting');
    assert.match(w.detail, /before a startup meeting was reported/);
    assert.match(
      w.message,
      /^opfølgningen 27\.11\.2026 er registreret, selv om der endnu ikke er meldt et opstartsmøde/,
    );
    assert.equal(byId(after, 'startup-meeting').status, 'pending');
  });
});

describe('decisions carry their own dates (issue 9.7)', () => {
  test("Hjørring familiebehandling: the reassessment is met on decidedOn, not the new package's effectiveOn", () => {
    const p = resolveMeasurePolicy('hjorring', 'familiebehandling')!;
    let s = apply(
      newMeasure(p),
      grantOf('hjorring', 'familiebehandling', '2026-03-02', { package: 'roed', prerequisites: ['handleplan'] }),
      NOW,
    );
    // 000 l.181-185: 3-6 months: expected from 2026-06-02, due 2026-09-02. Decided 2026-08-20, Gul from 2026-09-01.
    s = apply(
      s,
      ev('measure.package-changed', {
        package: 'gul',
        effectiveOn: '2026-09-01',
        reason: 'reassessment',
        decidedOn: '2026-08-20',
      }),
      NOW,
    );
    assert.deepEqual([byId(s, 'reassessment#1').dueOn, byId(s, 'reassessment#1').metOn], ['2026-09-02', '2026-08-20']);
    // Without decidedOn: the day it was sent (NOW is 2026-11-30).
    let t = apply(
      newMeasure(p),
      grantOf('hjorring', 'familiebehandling', '2026-03-02', { package: 'roed', prerequisites: ['handleplan'] }),
      NOW,
    );
    t = apply(
      t,
      ev('measure.package-changed', { package: 'gul', effectiveOn: '2026-09-01', reason: 'reassessment' }),
      NOW,
    );
    assert.equal(byId(t, 'reassessment#1').metOn, '2026-11-30');
  });
});

describe("the seeds' own words (issue 9.9)", () => {
  test('Allerød uddannelsessted: revisited once a year (003 l.80-83), so an extension goes a year at a time', () => {
    const p = resolveMeasurePolicy('allerod', 'uddannelsessted')!;
    let s = apply(
      newMeasure(p),
      grantOf('allerod', 'uddannelsessted', '2025-08-11', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'samtykke-foraeldre'],
      }),
      NOW,
    );
    // The limit: 2025-08-11 + 1 year = 2026-08-11; one step more: 2027-08-11.
    assert.match(
      check(s, ev('measure.extended', { until: '2027-09-01', approvedBy: 'visitationsudvalg' }), NOW) ?? '',
      /beyond one step of P1Y from the current limit 2026-08-11 \(2027-08-11\)/,
    );
    s = apply(
      s,
      ev('measure.extended', { until: '2027-08-11', approvedBy: 'visitationsudvalg', decidedOn: '2026-08-05' }),
      NOW,
    );
    assert.deepEqual(
      [byId(s, 'reassessment#1').metOn, byId(s, 'reassessment#1.1').dueOn],
      ['2026-08-05', '2027-08-11'],
    );
  });

  test('Halsnæs plejefamilie: the homecoming plan (002 l.2631) is owed at the homecoming; closing does not cancel it', () => {
    const p = resolveMeasurePolicy('halsnaes', 'plejefamilie')!;
    let s = apply(
      newMeasure(p),
      grantOf('halsnaes', 'plejefamilie', '2026-03-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
      NOW,
    );
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-11-20' }), NOW);
    const close = ev('measure.closed', { closedOn: '2026-11-25', reason: 'goal-reached' });
    assert.match(check(s, close, NOW) ?? '', /homecoming-plan \(due 2026-11-20\) is still owed/);
    s = apply(s, ev('measure.obligation-met', { obligation: 'homecoming-plan', metOn: '2026-11-20' }), NOW);
    s = apply(s, close, NOW);
    assert.deepEqual([s.state, byId(s, 'homecoming-plan').status], ['closed', 'met']);
  });

  test("ledsagelse 12-18 is the statute's range (SEL § 45 / BL § 89): hard in Halsnæs and Norddjurs alike", () => {
    for (const [m, slug] of [
      ['halsnaes', 'ledsagelse'],
      ['norddjurs', 'ledsagerordning'],
    ] as const) {
      const t = resolveMeasurePolicy(m, slug)!.measureType;
      assert.deepEqual([t.grantAge?.min, t.grantAge?.max, t.grantAge?.strength], ['P12Y', 'P18Y', 'hard'], m);
      assert.equal(t.obligations?.find((o) => o.kind === 'age-limit')?.strength, 'hard', m);
      // Born 2014-06-01: 12 on 2026-06-01; a start on 2026-05-31 is refused in both.
      const g = grantOf(m, slug, '2026-05-31', { childBirthDate: '2014-06-01' });
      assert.match(check(newMeasure(resolveMeasurePolicy(m, slug)!), g, NOW) ?? '', /only from the age of 12y/, m);
    }
  });
});

describe('words people read (issue 9.11)', () => {
  test("every deadline carries its Danish name: the obligation's from the policy, the timers' own", () => {
    const p = resolveMeasurePolicy('halsnaes', 'plejefamilie')!;
    const s = apply(
      newMeasure(p),
      grantOf('halsnaes', 'plejefamilie', '2026-03-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
      NOW,
    );
    assert.deepEqual(
      deadlines(s)
        .map((d) => [d.id, d.name])
        .slice(0, 2),
      [
        ['first-follow-up', 'Første opfølgning (Barnets Lov § 95, jf. § 96)'],
        ['prerequisite-boernefaglig-undersoegelse', p.measureType.obligations![0].name],
      ],
    );
    assert.ok(
      deadlines(s).every((d) => d.name && d.name !== d.kind),
      'no deadline goes without a Danish name',
    );
    const h = apply(
      newMeasure(resolveMeasurePolicy('hjorring', 'familiebehandling')!),
      grantOf('hjorring', 'familiebehandling', '2026-11-02', { package: 'roed', prerequisites: ['handleplan'] }),
      NOW,
    );
    assert.deepEqual(
      deadlines(h).map((d) => d.name),
      ['Opstartsmøde', 'Behandlingsplan', 'Første opfølgning', 'Revurdering', 'Handleplan (SEL § 140) foreligger'],
    );
  });

  test('a refusal has a stable English code and Danish words: "18 år", "17½ år", dates as 20.11.2026', () => {
    assert.deepEqual(
      [dkAge('P18Y'), dkAge('P17Y6M'), dkAge('P12Y'), dkDate('2026-11-20')],
      ['18 år', '17½ år', '12 år', '20.11.2026'],
    );
    // Haderslev kontaktperson "12-17 år" (001 l.727): born 2008-08-01, 18 on 2026-08-01, before the start 2026-09-01.
    const kp = newMeasure(resolveMeasurePolicy('haderslev', 'kontaktperson')!);
    const old = refusalOf(
      kp,
      grantOf('haderslev', 'kontaktperson', '2026-09-01', { childBirthDate: '2008-08-01' }),
      NOW,
    );
    assert.deepEqual(
      [old?.code, old?.message],
      [
        'age-above-limit',
        'Kontaktperson for børn og unge eller hele familien kan kun bevilges til børn og unge under 18 år; barnet er 18 år eller ældre ved start 01.09.2026',
      ],
    );
    assert.match(old?.detail ?? '', /only up to the age of 18y/);
    // Halsnæs ledsagelse from 12 (002 l.995): born 2014-06-01, 12 on 2026-06-01.
    const young = refusalOf(
      newMeasure(resolveMeasurePolicy('halsnaes', 'ledsagelse')!),
      grantOf('halsnaes', 'ledsagelse', '2026-05-31', { childBirthDate: '2014-06-01' }),
      NOW,
    );
    assert.deepEqual(
      [young?.code, young?.message.endsWith('kan først bevilges fra 12 år; barnet er yngre ved start 31.05.2026')],
      ['age-below-limit', true],
    );
    // In a future the clock has not reached, Danish time.
    const s = apply(
      newMeasure(resolveMeasurePolicy('hjorring', 'familiebehandling')!),
      grantOf('hjorring', 'familiebehandling', '2026-11-02', { package: 'roed', prerequisites: ['handleplan'] }),
      NOW,
    );
    const future = refusalOf(s, ev('measure.startup-meeting-held', { heldOn: '2026-12-03' }), NOW);
    assert.deepEqual(
      [future?.code, future?.message],
      ['date-in-future', 'mødedatoen 03.12.2026 ligger ude i fremtiden (i dag er 30.11.2026)'],
    );
  });
});

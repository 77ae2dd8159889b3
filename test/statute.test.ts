// Issue 9 through the machine: the statutory floor follows from each type's legal basis, a soft
// municipal rule never swallows it, and policies stored before `blParagraphs` keep their meaning.
// Every date is worked out by hand beside the assertion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apply, deadlines, newMeasure } from '../machines/measure';
import { statutoryFirstFollowUp, underSection95 } from '../machines/statutory';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import { fastMeasureType, testPolicy } from './fixtures/test-policy';
import { byId, eventsFrom, NOW } from './support/machine-events';

const ev = eventsFrom('dubu/statute');

function grantOf(municipality: string, measureType: string, startOn: string, extra: Record<string, unknown> = {}) {
  return ev('measure.granted', { municipality, measureType, caseId: 'C-9', caseworkerId: 'cw-9', grantedOn: startOn, startOn, ...extra });
}

describe('BL § 95 follows from the legal basis (issue 9.1)', () => {
  test('every placement and aftercare type of the five catalogues is under § 95', () => {
    const under: string[] = [];
    for (const m of ['haderslev', 'halsnaes', 'allerod'])
      for (const t of getMunicipality(m)!.measureTypes) if ((t.blParagraphs ?? []).some((p) => [46, 47, 114].includes(p)) && !(t.blParagraphs ?? []).includes(32)) under.push(`${m}/${t.slug}`);
    // The 16 the review found without a statutory first follow-up.
    assert.equal(under.length, 16, under.join(', '));
    for (const id of under) {
      const [m, slug] = id.split('/');
      assert.ok(underSection95(resolveMeasurePolicy(m, slug)!.measureType), id);
    }
  });

  test('Haderslev opholdssted (BL § 46/47): § 95 jf. § 96 stands beside the municipal 4 weeks', () => {
    const p = resolveMeasurePolicy('haderslev', 'opholdssted')!;
    const s = apply(newMeasure(p), grantOf('haderslev', 'opholdssted', '2026-02-16', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'] }), NOW);
    const ff = byId(s, 'first-follow-up');
    // 2026-02-16 + 4 weeks = 2026-03-16 (municipal); + 3 months = 2026-05-16 (statute)
    assert.deepEqual([ff.dueOn, ff.basis], ['2026-03-16', 'municipal']);
    assert.deepEqual(ff.alsoRequiredBy?.map((a) => [a.basis, a.dueOn, a.source.kind === 'statute' && a.source.paragraph]), [['statutory', '2026-05-16', 'Barnets Lov § 95, jf. § 96']]);
  });

  test('a § 32 measure keeps the plain § 95 source; § 30, § 35, § 75 and § 104 have none', () => {
    assert.deepEqual(statutoryFirstFollowUp({ blParagraphs: [32] })?.source, { kind: 'statute', paragraph: 'Barnets Lov § 95', note: 'første opfølgning senest 3 måneder efter iværksættelse (tidligere SEL § 70)' });
    for (const p of [30, 35, 75, 104]) assert.equal(statutoryFirstFollowUp({ blParagraphs: [p] }), null, `BL § ${p}`);
    for (const p of [114, 115, 116, 120]) assert.ok(statutoryFirstFollowUp({ blParagraphs: [p] }), `BL § ${p}`);
  });

  test('a policy stored before blParagraphs (running measures, older versions) keeps its flag', () => {
    const legacy = testPolicy(fastMeasureType({ blParagraphs: undefined, statutoryFollowUp: true, firstFollowUp: null, followUp: null }));
    const s = apply(newMeasure(legacy), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed' }), NOW);
    // 2026-08-03 + 3 months = 2026-11-03
    assert.deepEqual([byId(s, 'first-follow-up').dueOn, byId(s, 'first-follow-up').basis], ['2026-11-03', 'statutory']);
    const none = testPolicy(fastMeasureType({ blParagraphs: undefined, statutoryFollowUp: false, firstFollowUp: null, followUp: null }));
    const n = apply(newMeasure(none), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed' }), NOW);
    assert.deepEqual(deadlines(n).map((d) => d.kind), ['reassessment']);
  });
});

describe('nothing is due before the measure exists (issue 9.3)', () => {
  test('a policy-set grace: an age passed before the start is due that long after it', () => {
    const t = fastMeasureType({
      obligations: [{ kind: 'transition-plan', name: 'Handleplan for overgangen til voksenlivet', after: 'P17Y6M', from: 'birth', graceAfterStart: 'P1M', settledBy: { by: 'event' }, strength: 'hard', source: { kind: 'policy-setting', note: 'test' } }],
    });
    // Born 2008-12-31: 17½ on 2026-06-30, before the start 2026-08-03; + 1 month grace = 2026-09-03.
    const s = apply(newMeasure(testPolicy(t)), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed', childBirthDate: '2008-12-31' }), NOW);
    assert.equal(byId(s, 'transition-plan').dueOn, '2026-09-03');
    // Born 2009-05-10: 17½ on 2026-11-10, after the start: the age date itself.
    const y = apply(newMeasure(testPolicy(t)), grantOf('testby', 'hurtig-stoette', '2026-08-03', { package: 'roed', childBirthDate: '2009-05-10' }), NOW);
    assert.equal(byId(y, 'transition-plan').dueOn, '2026-11-10');
  });
});

describe('Hjørring: the rule kinds it had and did not use (issue 9.4)', () => {
  const HJ = '000_caf6e465e6fbee8a.txt';
  const hjGrant = (slug: string, pkg: string | undefined, startOn: string, prerequisites?: string[]) =>
    grantOf('hjorring', slug, startOn, { ...(pkg ? { package: pkg } : {}), ...(prerequisites ? { prerequisites } : {}) });

  test('støtteperson ends when the placement ends (l.784-787)', () => {
    const p = resolveMeasurePolicy('hjorring', 'stoetteperson')!;
    let s = apply(newMeasure(p), hjGrant('stoetteperson', 'stoetteperson', '2026-03-02', ['handleplan', 'foraeldrehandleplan']), NOW);
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-10-15' }), NOW);
    const end = byId(s, 'end-after-placement-ended');
    assert.deepEqual([end.dueOn, end.strength, end.source.kind === 'seed' && end.source.lines], ['2026-10-15', 'hard', '784-787']);
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, ev('measure.closed', { closedOn: '2026-10-20', reason: 'placed' }), NOW);
    assert.deepEqual([byId(s, 'end-after-placement-ended').status, byId(s, 'end-after-placement-ended').metOn], ['met', '2026-10-20']);
  });

  test('støtteperson ends when the custody holder moves away (l.784-787)', () => {
    const p = resolveMeasurePolicy('hjorring', 'stoetteperson')!;
    let s = apply(newMeasure(p), hjGrant('stoetteperson', 'stoetteperson', '2026-03-02', ['handleplan', 'foraeldrehandleplan']), NOW);
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
    const later = apply(s, ev('measure.obligation-met', { obligation: 'prerequisite-handleplan', metOn: '2026-11-30' }), NOW);
    assert.equal(byId(later, 'prerequisite-handleplan').status, 'met');
  });
});

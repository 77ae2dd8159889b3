// Norddjurs (seed 004_18095e674980c3a5.txt, "Indsatskatalog, Forebyggelse og Tidlig Indsats") as the
// machine sees it: one real measure of every rule kind the catalogue has, taken through its life.
// Every date is worked out by hand from the seed text; the comments cite the seed line.
import { underSection95 } from '../machines/statutory';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apply, check, deadlines, newMeasure, tick, type MeasureSnapshot } from '../machines/measure';
import { displayStatus, type Deadline } from '../machines/deadlines';
import type { MeasureEvent } from '../machines/event-catalogue';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import type { MeasurePolicy } from '../policies/types';
import { eventsFrom, noon, NOW, type Ev, byId } from './support/machine-events';

const SEED = '004_18095e674980c3a5.txt';
const ev = eventsFrom('dubu/norddjurs');

function grant(measureType: string, startOn: string, extra: Partial<Ev<'measure.granted'>['data']> = {}) {
  return ev('measure.granted', {
    municipality: 'norddjurs',
    measureType,
    caseId: 'C-4',
    caseworkerId: 'cw-4',
    grantedOn: startOn,
    startOn,
    ...extra,
  });
}
const session = (heldOn: string) => ev('measure.session-held', { heldOn });
const followUp = (heldOn: string) =>
  ev('measure.follow-up-held', { heldOn, participants: ['executor', 'parents'], actionPlanDecision: 'keep' });
const met = (obligation: string, metOn: string) => ev('measure.obligation-met', { obligation, metOn });
const closed = (closedOn: string, reason: Ev<'measure.closed'>['data']['reason'] = 'goal-reached') =>
  ev('measure.closed', { closedOn, reason });

function nd(slug: string): MeasurePolicy {
  const p = resolveMeasurePolicy('norddjurs', slug);
  assert.ok(p, `norddjurs/${slug} is in the catalogue`);
  return p;
}
function run(slug: string, events: MeasureEvent[], now = NOW): MeasureSnapshot {
  return events.reduce((s, e) => apply(s, e, now), newMeasure(nd(slug)));
}
const ids = (s: MeasureSnapshot) => deadlines(s).map((d) => d.id);
const seedLines = (d: Deadline) =>
  d.source.kind === 'seed' ? `${d.source.document}:${d.source.lines}` : d.source.kind;

describe('the Norddjurs catalogue', () => {
  test('19 measure types, one per seed-catalogue record, two discontinued', () => {
    const m = getMunicipality('norddjurs');
    assert.ok(m);
    assert.equal(m.document.file, SEED);
    assert.equal(m.measureTypes.length, 19);
    const catIds = m.measureTypes.flatMap((t) => t.catalogueIds ?? []);
    assert.equal(catIds.length, 19);
    assert.equal(new Set(catIds).size, 19);
    assert.ok(catIds.every((id) => id.startsWith('nor-')));
    assert.deepEqual(
      m.measureTypes
        .filter((t) => t.discontinued)
        .map((t) => t.slug)
        .sort(),
      ['brus', 'psykologbistand-unge'],
    );
    // Only the two § 52 stk. 3 nr. 6 / BL § 32 contact-person types fall under BL § 95.
    assert.deepEqual(
      m.measureTypes
        .filter((t) => underSection95(t))
        .map((t) => t.slug)
        .sort(),
      ['fast-kontaktperson', 'fast-kontaktperson-familie'],
    );
    assert.deepEqual(
      m.escalation.map((e) => [e.level, e.role, e.after]),
      [
        [1, 'sagsbehandler', 'P0D'],
        [2, 'teamleder', 'P7D'],
        [3, 'afdelingsleder', 'P14D'],
      ],
    );
  });

  test('discontinued ("Udgået") types cannot be granted', () => {
    // seed l.106 "Forebyggende psykologbistand til unge, jf. SEL § 11 Udgået"; l.359-360 BRUS "Udgået"
    for (const slug of ['psykologbistand-unge', 'brus']) {
      const why = check(newMeasure(nd(slug)), grant(slug, '2026-11-02'), NOW);
      assert.match(why ?? '', /discontinued \("Udgået"\) and cannot be granted/, slug);
    }
  });

  test('soft target-group ages are shown, not refused', () => {
    // seed l.581: "Børn/unge op til 18 år, samt unge i efterværn op til 23 år" (no "kun": soft)
    const t = nd('fast-kontaktperson').measureType;
    assert.deepEqual([t.grantAge?.max, t.grantAge?.strength], ['P23Y', 'soft']);
    assert.equal(
      check(
        newMeasure(nd('fast-kontaktperson')),
        grant('fast-kontaktperson', '2026-11-02', { childBirthDate: '2002-01-01' }),
        NOW,
      ),
      null,
    );
    // seed l.1193: "Børn i alderen 3-12 år": a 14-year-old is outside the target group, but soft.
    assert.equal(
      check(
        newMeasure(nd('foraeldretraening-nfpp')),
        grant('foraeldretraening-nfpp', '2026-11-02', { childBirthDate: '2012-01-01' }),
        NOW,
      ),
      null,
    );
  });
});

describe('count limits', () => {
  test('anonymous counselling ends at the third conversation', () => {
    // seed l.89: "Der tilbydes op til tre anonyme rådgivningssamtaler." No time limit, no follow-up.
    let s = run('anonym-raadgivning', [
      grant('anonym-raadgivning', '2026-09-01'),
      session('2026-09-08'),
      session('2026-09-22'),
    ]);
    assert.deepEqual(ids(s), [], 'no date before the count is reached, and no follow-up chain (not § 32)');
    assert.equal(s.state, 'following-up');
    s = apply(s, session('2026-10-06'), NOW);
    const end = byId(s, 'course-end');
    assert.equal(end.dueOn, '2026-10-06'); // the 3rd conversation
    assert.equal(end.strength, 'hard');
    assert.equal(seedLines(end), `${SEED}:83,89`);
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2026-10-06'), NOW);
    assert.equal(byId(s, 'course-end').status, 'met');
    assert.equal(s.state, 'closed');
  });

  test('konsulentbistand is evaluated at the 8th meeting at the latest', () => {
    // seed l.318-320: "Indsatsen evalueres efter max. 8 møder med barnet/den unge og/eller familien."
    const weekly = [
      '2026-09-07',
      '2026-09-14',
      '2026-09-21',
      '2026-09-28',
      '2026-10-05',
      '2026-10-12',
      '2026-10-19',
      '2026-10-26',
    ];
    let s = run('konsulentbistand', [grant('konsulentbistand', '2026-09-07'), ...weekly.slice(0, 7).map(session)]);
    assert.ok(!ids(s).includes('course-end'));
    assert.equal(s.state, 'following-up');
    s = apply(s, session(weekly[7]), NOW);
    assert.equal(byId(s, 'course-end').dueOn, '2026-10-26'); // the 8th meeting
    assert.equal(s.state, 'reassessment-due', 'the evaluation is a forced decision');
    s = apply(s, closed('2026-11-02'), NOW);
    assert.equal(byId(s, 'course-end').metOn, '2026-11-02');
  });

  test('programmes of N sessions without a stated span end at the Nth session', () => {
    const cases: Array<[string, number, string, 'hard' | 'soft']> = [
      ['foraeldretraening-nfpp', 8, '1235-1239', 'hard'], // seed l.1235: "består af 8 sessioner"
      ['foraeldregruppe-autisme', 5, '1601', 'hard'], // seed l.1601: "5 gange gruppeforløb til forældrene."
      ['gruppe-angst-unge', 10, '1752-1754', 'hard'], // seed l.1752: "Forløbet strækker sig over 10 gange"
      ['boernegruppe-skilsmisse', 8, '1177-1179', 'soft'], // seed l.1177, under "Vejledende tidsforbrug": soft
    ];
    for (const [slug, n, lines, strength] of cases) {
      // Sessions every 2 weeks from 2026-06-01: the Nth is 2026-06-01 + 2(N-1) weeks.
      const dates = Array.from(
        { length: n },
        (_, i) =>
          [
            '2026-06-01',
            '2026-06-15',
            '2026-06-29',
            '2026-07-13',
            '2026-07-27',
            '2026-08-10',
            '2026-08-24',
            '2026-09-07',
            '2026-09-21',
            '2026-10-05',
          ][i],
      );
      let s = run(slug, [grant(slug, '2026-06-01'), ...dates.slice(0, n - 1).map(session)]);
      assert.ok(!ids(s).includes('course-end'), `${slug}: no course end before session ${n}`);
      s = apply(s, session(dates[n - 1]), NOW);
      const d = byId(s, 'course-end');
      assert.equal(d.dueOn, dates[n - 1], slug);
      assert.equal(d.strength, strength, slug);
      assert.equal(seedLines(d), `${SEED}:${lines}`, slug);
    }
  });

  test('"10 sessioner på 10 uger": the count or the time, whichever comes first', () => {
    // seed l.1529: "10 sessioner på 10 uger." Start 2026-09-01 + 10 weeks = 2026-11-10.
    const slow = run('paa-vej-til-voksenlivet', [
      grant('paa-vej-til-voksenlivet', '2026-09-01'),
      session('2026-09-01'),
      session('2026-09-08'),
      session('2026-09-22'),
    ]);
    const d = byId(slow, 'course-end');
    assert.equal(d.dueOn, '2026-11-10');
    assert.equal(displayStatus(d, NOW), 'overdue');
    assert.equal(slow.state, 'reassessment-due');
    // Weekly from 2026-09-01: the 10th session is 2026-09-01 + 9 weeks = 2026-11-03, before the time limit.
    const weekly = [
      '2026-09-01',
      '2026-09-08',
      '2026-09-15',
      '2026-09-22',
      '2026-09-29',
      '2026-10-06',
      '2026-10-13',
      '2026-10-20',
      '2026-10-27',
      '2026-11-03',
    ];
    const fast = run('paa-vej-til-voksenlivet', [
      grant('paa-vej-til-voksenlivet', '2026-09-01'),
      ...weekly.map(session),
    ]);
    assert.equal(byId(fast, 'course-end').dueOn, '2026-11-03');
    // seed l.1672-1674: "2 timer en gang om ugen i 8 uger" / "i alt 8 gange": start 2026-10-05 + 8 weeks = 2026-11-30.
    const psyk = run('gruppe-psykisk-lidelse', [grant('gruppe-psykisk-lidelse', '2026-10-05'), session('2026-10-05')]);
    assert.equal(byId(psyk, 'course-end').dueOn, '2026-11-30');
    assert.equal(displayStatus(byId(psyk, 'course-end'), NOW), 'pending', 'due today, overdue from tomorrow');
  });

  test('a type without a count limit does not track sessions', () => {
    // seed l.1811-1813: the integration group runs "under integrationsperioden": no timer the machine can keep.
    const s = run('gruppe-integration', [grant('gruppe-integration', '2026-09-01')]);
    assert.deepEqual(ids(s), []);
    assert.match(check(s, session('2026-09-08'), NOW) ?? '', /no count limit/);
  });
});

describe('fixed programme lengths and workshops', () => {
  test('Få styr på angsten: workshops at the start and after 5 weeks, 10 weeks in all', () => {
    // Start 2026-09-07. seed l.528-530: "Den første workshop er i begyndelsen af programmet og den anden er efter 5 uger."
    let s = run('faa-styr-paa-angsten', [grant('faa-styr-paa-angsten', '2026-09-07')], noon('2026-09-08'));
    assert.equal(byId(s, 'workshop-1').dueOn, '2026-09-14'); // "i begyndelsen": first week (policy reading), soft
    assert.equal(byId(s, 'workshop-1').strength, 'soft');
    assert.equal(byId(s, 'workshop-2').dueOn, '2026-10-12'); // 2026-09-07 + 5 weeks
    // seed l.551-553: "varer i alt 10 uger": 2026-09-07 + 10 weeks = 2026-11-16.
    assert.equal(byId(s, 'reassessment#1').dueOn, '2026-11-16');
    assert.equal(s.state, 'following-up');
    s = apply(s, met('workshop-1', '2026-09-08'), noon('2026-09-08'));
    s = apply(s, met('workshop-2', '2026-10-12'), noon('2026-10-12'));
    assert.equal(byId(s, 'workshop-1').status, 'met');
    assert.equal(byId(s, 'workshop-2').metOn, '2026-10-12');
    s = tick(s, noon('2026-11-16'));
    assert.equal(s.state, 'reassessment-due', 'the limit is reached on its day');
    // The seed names no extension: closure is the only outcome.
    assert.match(
      check(s, ev('measure.extended', { until: '2026-12-14', approvedBy: 'teamleder' }), noon('2026-11-16')) ?? '',
      /allows no extension/,
    );
    s = apply(s, closed('2026-11-16'), noon('2026-11-16'));
    assert.equal(byId(s, 'reassessment#1').status, 'met');
  });

  test("social færdighedstræning: a 10-week course from the child's own start", () => {
    // seed l.1453-1455: "Der er tale om et 10-ugers forløb med løbende optag – klippekort." 2026-09-01 + 10 weeks.
    const s = run('social-faerdighedstraening', [grant('social-faerdighedstraening', '2026-09-01')]);
    assert.equal(byId(s, 'reassessment#1').dueOn, '2026-11-10');
    assert.equal(s.state, 'reassessment-due');
  });
});

describe('yearly follow-up, prerequisites and age limits', () => {
  test('ledsagerordning: consent before start, follow-up once a year, ends at 18', () => {
    const at = noon('2027-03-01');
    // seed l.855-857: "Ordningen kræver samtykke fra forældremyndighedsindehaveren." In place at the grant.
    let s = run(
      'ledsagerordning',
      [grant('ledsagerordning', '2026-03-02', { childBirthDate: '2010-05-15', prerequisites: ['samtykke'] })],
      at,
    );
    assert.equal(byId(s, 'prerequisite-samtykke').status, 'met');
    assert.equal(byId(s, 'prerequisite-samtykke').metOn, '2026-03-02');
    // seed l.911: "Individuelt – opfølgning en gang årligt." 2026-03-02 + 1 year. Not § 32: no BL § 95 floor.
    const first = byId(s, 'first-follow-up');
    assert.equal(first.dueOn, '2027-03-02');
    assert.equal(first.basis, 'municipal');
    assert.equal(first.alsoRequiredBy, undefined);
    // seed l.839: "Hjemmeboende unge mellem 12-18 år": born 2010-05-15, 18 on 2028-05-15.
    assert.equal(byId(s, 'age-limit').dueOn, '2028-05-15');
    s = apply(s, followUp('2027-02-20'), at);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2028-02-20'); // a year after the follow-up held
    s = apply(s, followUp('2028-02-10'), noon('2028-02-10'));
    assert.equal(byId(s, 'follow-up#2').dueOn, '2029-02-10');
    assert.equal(s.state, 'following-up');
    s = tick(s, noon('2028-05-15'));
    assert.equal(s.state, 'reassessment-due', 'the 18th birthday forces a decision');
    s = apply(s, closed('2028-05-15', 'aged-out'), noon('2028-05-15'));
    assert.equal(byId(s, 'age-limit').status, 'met');
    assert.equal(byId(s, 'follow-up#2').status, 'cancelled');
  });

  test('ledsagerordning without the consent at grant: due on the start day', () => {
    let s = run('ledsagerordning', [grant('ledsagerordning', '2026-11-02')]);
    const d = byId(s, 'prerequisite-samtykke');
    assert.equal(d.dueOn, '2026-11-02');
    assert.equal(displayStatus(d, NOW), 'overdue');
    assert.ok(!ids(s).includes('age-limit'), 'no birth date, no age rule');
    s = apply(s, met('prerequisite-samtykke', '2026-11-05'), NOW);
    assert.equal(byId(s, 'prerequisite-samtykke').metOn, '2026-11-05');
  });

  test('afløsning: yearly follow-up by the caseworker, ends at 18', () => {
    // seed l.1083-1085: "opfølgning en gang pr. år"; l.1011: "børn fra 0-18 år". Born 2008-06-30: 18 on 2026-06-30.
    let s = run('afloesning', [grant('afloesning', '2026-01-15', { childBirthDate: '2008-06-30' })]);
    assert.equal(byId(s, 'first-follow-up').dueOn, '2027-01-15');
    assert.equal(byId(s, 'age-limit').dueOn, '2026-06-30');
    assert.equal(displayStatus(byId(s, 'age-limit'), NOW), 'overdue');
    assert.equal(s.state, 'reassessment-due');
    assert.deepEqual(
      nd('afloesning').measureType.decisionAuthority?.map((a) => a.role),
      ['myndighedsrådgiver'],
    );
    s = apply(s, closed('2026-06-30', 'aged-out'), NOW);
    assert.equal(byId(s, 'age-limit').status, 'met');
    assert.equal(byId(s, 'first-follow-up').status, 'cancelled');
  });

  test('fast kontaktperson: BL § 95 governs the first follow-up; efterværn ends at 23', () => {
    // seed l.674-682: "Hyppigere opfølgning og tæt kontakt" gives no interval, so the statutory floor governs:
    // start 2026-08-03 + 3 months = 2026-11-03. seed l.581: "unge i efterværn op til 23 år": born 2003-09-10.
    let s = run(
      'fast-kontaktperson',
      [grant('fast-kontaktperson', '2026-08-03', { childBirthDate: '2003-09-10' })],
      noon('2026-08-04'),
    );
    const first = byId(s, 'first-follow-up');
    assert.equal(first.dueOn, '2026-11-03');
    assert.equal(first.basis, 'statutory');
    assert.equal(s.state, 'awaiting-first-follow-up');
    assert.equal(byId(s, 'age-limit').dueOn, '2026-09-10');
    s = apply(s, followUp('2026-09-01'), noon('2026-09-01'));
    assert.equal(byId(s, 'first-follow-up').status, 'met');
    assert.ok(!ids(s).some((id) => id.startsWith('follow-up#')), 'no municipal rhythm after the first follow-up');
    s = tick(s, noon('2026-09-10'));
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2026-09-10', 'aged-out'), noon('2026-09-10'));
    assert.equal(byId(s, 'age-limit').status, 'met');

    const fam = run('fast-kontaktperson-familie', [grant('fast-kontaktperson-familie', '2026-08-31')]);
    assert.equal(byId(fam, 'first-follow-up').dueOn, '2026-11-30'); // 2026-08-31 + 3 months (BL § 95)
    assert.equal(fam.state, 'awaiting-first-follow-up');
  });
});

describe('linked ends and startup meetings', () => {
  test('støtteperson (§ 54): must be decided on when the child returns home', () => {
    // seed l.993-997: "fra det tidspunkt, hvor anbringelsen bliver effektueret og kan fortsætte en kortere
    // periode efter hjemgivelsen": no follow-up rules; the return home forces a decision (soft).
    let s = run('stoetteperson', [grant('stoetteperson', '2026-02-02')]);
    assert.deepEqual(ids(s), []);
    assert.equal(s.state, 'following-up');
    s = apply(s, ev('child.placement-ended', { endedOn: '2026-11-20' }), NOW);
    const d = byId(s, 'end-after-placement-ended');
    assert.equal(d.dueOn, '2026-11-20');
    assert.equal(d.strength, 'soft');
    assert.equal(s.state, 'reassessment-due');
    s = apply(s, closed('2026-11-27', 'other'), NOW);
    assert.equal(byId(s, 'end-after-placement-ended').metOn, '2026-11-27');
  });

  test('på forkant med fravær: referral form and consent before start, startup meeting at the school', () => {
    // seed l.1307-1315: "Ved indstilling udfyldes et visitationsskema, og der underskrives en samtykkeerklæring"
    let s = run('paa-forkant-med-fravaer', [
      grant('paa-forkant-med-fravaer', '2026-10-05', { prerequisites: ['visitationsskema'] }),
    ]);
    assert.equal(byId(s, 'prerequisite-visitationsskema').metOn, '2026-10-05');
    assert.equal(displayStatus(byId(s, 'prerequisite-samtykke'), NOW), 'overdue'); // due 2026-10-05
    // seed l.1345 "Opstartsmøde som holdes på skolen": no date in the seed; municipal default 2 weeks (soft).
    assert.equal(byId(s, 'startup-meeting').dueOn, '2026-10-19');
    assert.equal(s.state, 'ordered');
    s = apply(s, ev('measure.startup-meeting-held', { heldOn: '2026-10-14' }), NOW);
    s = apply(s, met('prerequisite-samtykke', '2026-10-07'), NOW);
    assert.equal(byId(s, 'startup-meeting').status, 'met');
    assert.equal(byId(s, 'prerequisite-samtykke').status, 'met');
    assert.equal(
      s.state,
      'following-up',
      'not § 32: no statutory first follow-up; meetings "aftales efter behov" (l.1351)',
    );
    assert.ok(!ids(s).includes('first-follow-up'));
  });

  test('børnegruppe: the startup conversation by the start of the course', () => {
    // seed l.1180 "Opstartssamtale med forældre og barn": no date; read as by the start (soft).
    let s = run(
      'boernegruppe-skilsmisse',
      [grant('boernegruppe-skilsmisse', '2026-09-14', { grantedOn: '2026-09-01' })],
      noon('2026-09-10'),
    );
    assert.equal(byId(s, 'startup-meeting').dueOn, '2026-09-14');
    assert.equal(s.state, 'ordered');
    s = apply(s, ev('measure.startup-meeting-held', { heldOn: '2026-09-10' }), noon('2026-09-10'));
    assert.equal(s.state, 'following-up');
    s = apply(s, session('2026-09-14'), noon('2026-09-14'));
    assert.ok(!ids(s).includes('course-end'));
  });
});

// The seed rule kinds of issue 9.10 through the machine, each on the catalogue's own policy with
// dates worked out by hand from the seed lines cited. Delivery caps: what the provider reports delivering (`measure.delivery-reported`)
// summed per calendar week (Monday to Sunday), month or year, against the seeds' caps. Hard caps
// refuse the report that goes beyond them; soft caps and a package's appointments accept it with a
// warning. Every cap is the catalogue's own, with its seed lines; the weeks are worked out by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { periodOf } from '../machines/delivery';
import { apply, check, deadlines, newMeasure, refusalOf, type MeasureSnapshot } from '../machines/measure';
import { historyOf } from '../machines/history';
import { warnings } from '../machines/rules';
import { resolveMeasurePolicy } from '../policies/catalogue';
import type { MeasureEvent } from '../machines/event-catalogue';
import { eventsFrom, NOW } from './support/machine-events';

const ev = eventsFrom('leverandoer/test');

function granted(municipality: string, measureType: string, startOn: string, extra: Record<string, unknown> = {}) {
  const p = resolveMeasurePolicy(municipality, measureType)!;
  const s = apply(
    newMeasure(p),
    ev('measure.granted', {
      municipality,
      measureType,
      caseId: 'C-10',
      caseworkerId: 'cw-10',
      grantedOn: startOn,
      startOn,
      ...extra,
    }),
    NOW,
  );
  return { p, s };
}
const delivered = (deliveredOn: string, amount: { hours?: number; appointments?: number }) =>
  ev('measure.delivery-reported', { deliveredOn, ...amount });
const more = (s: MeasureSnapshot, ...es: MeasureEvent[]) => es.reduce((x, e) => apply(x, e, NOW), s);

describe('calendar periods', () => {
  test('a week runs Monday to Sunday, a month and a year by the calendar', () => {
    // 2026-11-04 is a Wednesday: its week is Monday 2 to Sunday 8 November.
    assert.deepEqual(periodOf('2026-11-04', 'week'), { from: '2026-11-02', to: '2026-11-08' });
    // A Sunday is the last day of its week; 2027-01-03 (Sunday) still belongs to the week from 28 December.
    assert.deepEqual(periodOf('2027-01-03', 'week'), { from: '2026-12-28', to: '2027-01-03' });
    assert.deepEqual(periodOf('2028-02-10', 'month'), { from: '2028-02-01', to: '2028-02-29' });
    assert.deepEqual(periodOf('2026-07-01', 'year'), { from: '2026-01-01', to: '2026-12-31' });
  });
});

describe('hard caps refuse, soft caps warn (issue 9.10)', () => {
  test('Haderslev kompenserende kontaktperson: "kan ikke overstige 5 timer ugentligt" (001 l.788) is hard', () => {
    const { s } = granted('haderslev', 'kontaktperson-kompenserende', '2026-11-02', { childBirthDate: '2012-05-01' });
    // Monday 2, Wednesday 4 November: 2 + 2.5 = 4.5 hours in the week of 2-8 November.
    const s2 = more(s, delivered('2026-11-02', { hours: 2 }), delivered('2026-11-04', { hours: 2.5 }));
    // Friday 6 November, 1 hour more: 5.5 > 5, refused, and nothing is recorded.
    const friday = delivered('2026-11-06', { hours: 1 });
    const r = refusalOf(s2, friday, NOW)!;
    assert.equal(r.code, 'delivery-cap-exceeded');
    assert.match(
      r.message,
      /højst 5 timer om ugen; med denne levering 06\.11\.2026 bliver det 5\.5 i perioden 02\.11\.2026-08\.11\.2026/,
    );
    assert.match(
      r.detail,
      /at most 5 hours per week; this delivery on 2026-11-06 makes 5\.5 in 2026-11-02\.\.2026-11-08/,
    );
    // Half an hour fits exactly (5 = 5); Monday 9 November starts a new week.
    assert.equal(check(s2, delivered('2026-11-06', { hours: 0.5 }), NOW), null);
    assert.equal(check(s2, delivered('2026-11-09', { hours: 5 }), NOW), null);
  });

  test('Haderslev støtteperson (§ 54): 2 hours a month as a rule (001 l.1786), never more than 6 (l.1788)', () => {
    const { p, s } = granted('haderslev', 'stoetteperson', '2026-09-01');
    const first = delivered('2026-10-05', { hours: 2 });
    const s1 = more(s, first);
    assert.deepEqual(warnings(p, first, s1.context.facts), []);
    // A third hour in October (1-31 October): accepted, warned against the soft 2 hours.
    const third = delivered('2026-10-20', { hours: 1 });
    assert.equal(check(s1, third, NOW), null);
    const s2 = apply(s1, third, NOW);
    const [w] = warnings(p, third, s2.context.facts);
    assert.equal(w.code, 'delivery-cap-exceeded');
    assert.match(
      w.message,
      /som udgangspunkt højst 2 timer om måneden; med leveringen 20\.10\.2026 er det 3 i perioden 01\.10\.2026-31\.10\.2026: registreret som en undtagelse/,
    );
    // 3 + 3 = 6 in October is the special cases' most; 3 + 4 = 7 is refused (hard).
    assert.equal(check(s2, delivered('2026-10-30', { hours: 3 }), NOW), null);
    assert.equal(refusalOf(s2, delivered('2026-10-30', { hours: 4 }), NOW)?.code, 'delivery-cap-exceeded');
    // November is a new month.
    assert.equal(check(s2, delivered('2026-11-02', { hours: 4 }), NOW), null);
  });

  test('Hjørring PPS Pakke Gul: a package\'s "1-2 aftaler pr uge" (000 l.29) warns at the third; Pakke Grøn counts per month', () => {
    const { p, s } = granted('hjorring', 'praktisk-paedagogisk-stoette', '2026-11-02', {
      package: 'gul',
      prerequisites: ['handleplan'],
    });
    // Tuesday 3 and Thursday 5 November: 2 appointments in the week of 2-8 November.
    const s2 = more(s, delivered('2026-11-03', { appointments: 1 }), delivered('2026-11-05', { appointments: 1 }));
    const third = delivered('2026-11-06', { appointments: 1 });
    assert.equal(check(s2, third, NOW), null, 'a package is soft: accepted');
    const [w] = warnings(p, third, apply(s2, third, NOW).context.facts);
    assert.equal(w.code, 'delivery-cap-exceeded');
    assert.match(
      w.message,
      /\(Pakke Gul\) omfatter som udgangspunkt højst 2 aftaler om ugen.* er det 3 i perioden 02\.11\.2026-08\.11\.2026/,
    );
    // The package changes to Grøn from Monday 16 November (1-2 aftaler pr måned, 000 l.35): the
    // appointments of November before the change count in the month too (2 + 1 = 3 by the 6th).
    const g = apply(
      apply(s2, third, NOW),
      ev('measure.package-changed', {
        package: 'groen',
        effectiveOn: '2026-11-16',
        reason: 'udslusning',
        decidedOn: '2026-11-13',
      }),
      NOW,
    );
    const grøn = delivered('2026-11-17', { appointments: 1 });
    assert.match(
      warnings(p, grøn, apply(g, grøn, NOW).context.facts)[0].detail,
      /package groen\) sets at most 2 appointments per month as a rule; the delivery on 2026-11-17 makes 4 in 2026-11-01\.\.2026-11-30/,
    );
    // The report is in the history, with what was delivered.
    const h = historyOf(apply(g, grøn, NOW).context.facts).filter((x) => x.type === 'measure.delivery-reported');
    assert.deepEqual(
      h.map((x) => [x.on, x.detail?.appointments]),
      [
        ['2026-11-03', 1],
        ['2026-11-05', 1],
        ['2026-11-06', 1],
        ['2026-11-17', 1],
      ],
    );
  });

  test('a delivery is dated: not before the grant, not in the future', () => {
    const { s } = granted('halsnaes', 'ledsagelse', '2026-11-02', { childBirthDate: '2012-03-01' });
    assert.equal(refusalOf(s, delivered('2026-10-30', { hours: 1 }), NOW)?.code, 'date-before-grant');
    assert.equal(refusalOf(s, delivered('2026-12-01', { hours: 1 }), NOW)?.code, 'date-in-future');
    // "maksimalt 15 timers ledsagelse månedligt" (002 l.1131-1133): 15 in November is the most.
    const s15 = more(s, delivered('2026-11-10', { hours: 10 }), delivered('2026-11-20', { hours: 5 }));
    assert.equal(refusalOf(s15, delivered('2026-11-27', { hours: 0.25 }), NOW)?.code, 'delivery-cap-exceeded');
  });
});

const met = (obligation: string, metOn: string) => ev('measure.obligation-met', { obligation, metOn });
const dl = (s: MeasureSnapshot, id: string) => deadlines(s).find((d) => d.id === id);

describe('obligations scoped to a package, an age band or the grant (issue 9.10)', () => {
  test('Hjørring individuel behandling: "Rød og Gul: altid 3 afklarende samtaler" (000 l.344-347, 354-357), not Grøn', () => {
    // Started Monday 2026-11-02: expected by the first follow-up, + 4 weeks = 2026-11-30 (l.420).
    const roed = granted('hjorring', 'individuel-behandling', '2026-11-02', {
      package: 'roed',
      prerequisites: ['handleplan'],
    }).s;
    assert.deepEqual(
      [dl(roed, 'afklarende-samtaler')?.dueOn, dl(roed, 'afklarende-samtaler')?.strength],
      ['2026-11-30', 'soft'],
    );
    assert.equal(dl(roed, 'afklarende-samtaler')?.name, '3 afklarende samtaler');
    assert.equal(dl(more(roed, met('afklarende-samtaler', '2026-11-20')), 'afklarende-samtaler')?.metOn, '2026-11-20');
    const gul = granted('hjorring', 'individuel-behandling', '2026-11-02', {
      package: 'gul',
      prerequisites: ['handleplan'],
    }).s;
    assert.equal(dl(gul, 'afklarende-samtaler')?.dueOn, '2026-11-30');
    const groen = granted('hjorring', 'individuel-behandling', '2026-11-02', {
      package: 'groen',
      prerequisites: ['handleplan'],
    }).s;
    assert.equal(dl(groen, 'afklarende-samtaler'), undefined);
    assert.equal(
      refusalOf(groen, met('afklarende-samtaler', '2026-11-20'), NOW),
      null,
      'the kind exists on the type; met is recorded',
    );
  });

  test('Allerød uddannelsessted: "Er den unge over 15 år skal der også være et samtykke fra den unge" (003 l.112-113)', () => {
    const all = ['boernefaglig-undersoegelse', 'handleplan', 'samtykke-foraeldre'];
    // Born 2011-11-03: 15 on 2026-11-03. Started 2026-11-02 the youth is 14: no consent owed.
    const fourteen = granted('allerod', 'uddannelsessted', '2026-11-02', {
      childBirthDate: '2011-11-03',
      prerequisites: all,
    }).s;
    assert.equal(dl(fourteen, 'prerequisite-samtykke-unge'), undefined);
    // Started 2026-11-03, the 15th birthday: owed on the start date, met by the grant's list.
    const fifteen = granted('allerod', 'uddannelsessted', '2026-11-03', {
      childBirthDate: '2011-11-03',
      prerequisites: all,
    }).s;
    assert.deepEqual(
      [dl(fifteen, 'prerequisite-samtykke-unge')?.dueOn, dl(fifteen, 'prerequisite-samtykke-unge')?.status],
      ['2026-11-03', 'pending'],
    );
    const given = granted('allerod', 'uddannelsessted', '2026-11-03', {
      childBirthDate: '2011-11-03',
      prerequisites: [...all, 'samtykke-unge'],
    }).s;
    assert.equal(dl(given, 'prerequisite-samtykke-unge')?.status, 'met');
    // Without a birth date the age is not known: not owed, as age rules are not.
    assert.equal(
      dl(granted('allerod', 'uddannelsessted', '2026-11-03', { prerequisites: all }).s, 'prerequisite-samtykke-unge'),
      undefined,
    );
  });

  test('Halsnæs ledsagelse: a companion the youth names is approved by the municipality (002 l.1031-1033)', () => {
    const named = granted('halsnaes', 'ledsagelse', '2026-11-02', {
      childBirthDate: '2012-03-01',
      prerequisites: ['ledsager-udpeget'],
    }).s;
    assert.deepEqual(
      [dl(named, 'prerequisite-ledsager-godkendt')?.dueOn, dl(named, 'prerequisite-ledsager-godkendt')?.status],
      ['2026-11-02', 'pending'],
    );
    const not = granted('halsnaes', 'ledsagelse', '2026-11-02', { childBirthDate: '2012-03-01' }).s;
    assert.equal(dl(not, 'prerequisite-ledsager-godkendt'), undefined);
  });
});

describe('prerequisite checklists at grant (issue 9.10)', () => {
  test('Haderslev plejefamilie: "Der skal altid forelægge en beregning af forældrenes egenbetaling" (001 l.1070)', () => {
    // Granted 2026-10-26, started 2026-11-02: due on the grant date, as the other placement prerequisites.
    const s = granted('haderslev', 'plejefamilie', '2026-11-02', { grantedOn: '2026-10-26' }).s;
    assert.deepEqual(
      [dl(s, 'prerequisite-egenbetaling')?.dueOn, dl(s, 'prerequisite-egenbetaling')?.strength],
      ['2026-10-26', 'hard'],
    );
    const listed = granted('haderslev', 'plejefamilie', '2026-11-02', {
      grantedOn: '2026-10-26',
      prerequisites: ['egenbetaling'],
    }).s;
    assert.deepEqual(
      [dl(listed, 'prerequisite-egenbetaling')?.status, dl(listed, 'prerequisite-egenbetaling')?.metOn],
      ['met', '2026-10-26'],
    );
  });

  test('Halsnæs opholdssted: a samarbejdsmøde about the placement on the start (002 l.3283-3289)', () => {
    const s = granted('halsnaes', 'opholdssted', '2026-11-02', { childBirthDate: '2012-03-01' }).s;
    assert.deepEqual(
      [dl(s, 'prerequisite-samarbejdsmoede')?.dueOn, dl(s, 'prerequisite-samarbejdsmoede')?.name],
      ['2026-11-02', 'Samarbejdsmøde om anbringelsen er holdt'],
    );
    assert.equal(
      dl(more(s, met('prerequisite-samarbejdsmoede', '2026-11-05')), 'prerequisite-samarbejdsmoede')?.metOn,
      '2026-11-05',
    );
  });
});

describe('obligations anchored on a dated case event (issue 9.10)', () => {
  test('Haderslev afgiftning: "behandlingstilbud senest 14 dage efter henvendelsen" (001 l.1337), the request before the grant', () => {
    const { s } = granted('haderslev', 'afgiftning', '2026-11-02', {
      prerequisites: [
        'boernefaglig-undersoegelse',
        'udviklingsplan',
        'familieraadslagning',
        'handleplan',
        'egenbetaling',
      ],
    });
    assert.equal(dl(s, 'behandlingstilbud'), undefined, 'nothing is due until the request is reported');
    // The request came on Tuesday 2026-10-27, before the grant: + 14 days = 2026-11-10.
    const request = ev('case.milestone-reported', { milestone: 'henvendelse', occurredOn: '2026-10-27' });
    assert.equal(check(s, request, NOW), null);
    const r = apply(s, request, NOW);
    assert.deepEqual([dl(r, 'behandlingstilbud')?.dueOn, dl(r, 'behandlingstilbud')?.strength], ['2026-11-10', 'hard']);
    assert.equal(dl(more(r, met('behandlingstilbud', '2026-11-09')), 'behandlingstilbud')?.status, 'met');
    assert.deepEqual(
      historyOf(r.context.facts)
        .filter((h) => h.type === 'case.milestone-reported')
        .map((h) => [h.on, h.detail?.milestone]),
      [['2026-10-27', 'henvendelse']],
    );
    // A milestone the type does not count from is refused, naming those it knows.
    const wrong = refusalOf(
      s,
      ev('case.milestone-reported', { milestone: 'loesladelse', occurredOn: '2026-10-27' }),
      NOW,
    )!;
    assert.equal(wrong.code, 'unknown-milestone');
    assert.match(wrong.message, /ingen frist, der regnes fra loesladelse; den kender henvendelse/);
  });
});

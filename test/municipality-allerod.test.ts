// Allerød (seed 003_b99f7acbbab04cfc.txt) through the measure machine: every rule kind the
// catalogue uses (follow-up chain, startup meeting, yearly revisitation and other limits with their
// approvers, prerequisites, age rules, the transition plan at 17½, linked ends, orders that may not be
// closed for lack of motivation, grant ages), each on a real measure type with every date worked out
// by hand from the seed line cited beside it. Pure and fast: no stack.
import { underSection95 } from '../machines/statutory';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { apply, check, deadlines, newMeasure, tick, type MeasureSnapshot } from '../machines/measure';
import { warnings } from '../machines/rules';
import { displayStatus } from '../machines/deadlines';
import type { MeasureEvent } from '../machines/event-catalogue';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import { CATALOGUE_FILE } from '../scripts/coverage-report';
import type { MeasurePolicy, MeasureTypePolicy, Participant, RuleSource } from '../policies/types';
import { byId, table } from './support/machine-events';

const SEED = '003_b99f7acbbab04cfc.txt';

// ---- helpers ----------------------------------------------------------------------------------

/** Noon in Copenhagen on a date: the instant an event is sent or the clock reads. */
const at = (date: string) => Date.parse(`${date}T12:00:00+01:00`);

type Ev<T extends MeasureEvent['type']> = Extract<MeasureEvent, { type: T }>;
let seq = 0;
function ev<T extends MeasureEvent['type']>(type: T, data: Ev<T>['data'], when: string): Ev<T> {
  return { eventId: `dubu/allerod/evt-${++seq}`, at: at(when), type, data } as Ev<T>;
}

interface GrantOpts {
  grantedOn?: string;
  birth?: string;
  prerequisites?: string[];
}
function grant(measureType: string, startOn: string, o: GrantOpts = {}) {
  const grantedOn = o.grantedOn ?? startOn;
  return ev(
    'measure.granted',
    {
      municipality: 'allerod',
      measureType,
      caseId: 'C-3',
      caseworkerId: 'cw-7',
      grantedOn,
      startOn,
      ...(o.birth ? { childBirthDate: o.birth } : {}),
      ...(o.prerequisites ? { prerequisites: o.prerequisites } : {}),
    },
    startOn < grantedOn ? grantedOn : startOn,
  );
}
const startup = (heldOn: string) => ev('measure.startup-meeting-held', { heldOn }, heldOn);
const followUp = (heldOn: string, participants: Participant[] = ['executor', 'parents']) =>
  ev('measure.follow-up-held', { heldOn, participants, actionPlanDecision: 'keep' }, heldOn);
const met = (obligation: string, metOn: string, sentOn = metOn) =>
  ev('measure.obligation-met', { obligation, metOn }, sentOn);
const placed = (placedOn: string, sentOn = placedOn) => ev('child.placed', { placedOn }, sentOn);
const extended = (
  until: string,
  approvedBy: 'sagsbehandler' | 'teamleder' | 'afdelingsleder' | 'visitationsudvalg',
  sentOn: string,
) => ev('measure.extended', { until, approvedBy }, sentOn);
const closed = (closedOn: string, reason: Ev<'measure.closed'>['data']['reason'], sentOn = closedOn) =>
  ev('measure.closed', { closedOn, reason }, sentOn);

function al(slug: string): MeasurePolicy {
  const p = resolveMeasurePolicy('allerod', slug);
  assert.ok(p, `allerod/${slug} is in the catalogue`);
  return p;
}

/** Applies each event at its own instant. */
function run(policy: MeasurePolicy, events: MeasureEvent[], from = newMeasure(policy)): MeasureSnapshot {
  return events.reduce((s, e) => apply(s, e, e.at), from);
}
const tickTo = (s: MeasureSnapshot, date: string) => tick(s, at(date));

const ids = (s: MeasureSnapshot) => deadlines(s).map((d) => d.id);
const lines = (src: RuleSource) => (src.kind === 'seed' ? `${src.document}:${src.lines}` : src.kind);
const cite = (l: string) => `${SEED}:${l}`;

/** The refusal's words, asserting that apply() refuses too. */
function refusedWith(s: MeasureSnapshot, e: MeasureEvent, pattern: RegExp) {
  const why = check(s, e, e.at);
  assert.ok(why, `${e.type} is refused`);
  assert.match(why, pattern);
  assert.throws(() => apply(s, e, e.at), pattern);
}
const allowed = (s: MeasureSnapshot, e: MeasureEvent) => assert.equal(check(s, e, e.at), null, `${e.type} is allowed`);

const ALL_PREREQS = ['boernefaglig-undersoegelse', 'handleplan', 'samtykke-foraeldre'];

// ---- the catalogue ----------------------------------------------------------------------------

describe('the Allerød catalogue', () => {
  const m = getMunicipality('allerod');

  test('twelve types: one per seed record, plus the order, observation and aftercare variants', () => {
    assert.ok(m);
    assert.equal(m.name, 'Allerød Kommune');
    assert.equal(m.version, 1);
    assert.equal(m.document.file, SEED);
    assert.deepEqual(
      m.measureTypes.map((t) => [t.slug, t.catalogueIds ?? []]),
      [
        ['uddannelsessted', ['all-uddannelsessted']],
        ['praktisk-paedagogisk-stoette', ['all-pps']],
        ['praktisk-paedagogisk-stoette-observation', []],
        ['praktisk-paedagogisk-stoette-foraeldrepaalaeg', []],
        ['familiebehandling', ['all-familiebehandling']],
        ['familiebehandling-paalaeg', []],
        ['aflastning', ['all-aflastning']],
        ['kontaktperson-ung', ['all-kontaktperson-ung']],
        ['kontaktperson-ung-ungepaalaeg', []],
        ['kontaktperson-ung-dom', []],
        ['kontaktperson-eftervaern', []],
        ['kontaktperson-familie', ['all-kontaktperson-familie']],
      ],
    );
    // Every type carries the statutory floor: the § 52 stk. 3 types under BL § 32, aftercare (SEL § 76)
    // under BL § 114, which BL § 95 stk. 1 names too.
    assert.deepEqual(
      m.measureTypes.filter((t) => !underSection95(t)).map((t) => t.slug),
      [],
    );
    // The seed is silent on escalation: the municipal default ladder.
    assert.deepEqual(
      m.escalation.map((e) => [e.level, e.role, e.after, e.source.kind]),
      [
        [1, 'sagsbehandler', 'P0D', 'policy-setting'],
        [2, 'teamleder', 'P7D', 'policy-setting'],
        [3, 'afdelingsleder', 'P14D', 'policy-setting'],
      ],
    );
  });

  test('every Allerød catalogue record is in exactly one type, and every rule of it is cited there', () => {
    type Rule = { kind?: string; item?: string; lines?: Array<[number, number]>; lines_text: string };
    const records = (
      JSON.parse(fs.readFileSync(CATALOGUE_FILE, 'utf8')) as Array<{
        id: string;
        timers: Rule[];
        prerequisites?: Rule[];
        age_triggers?: Rule[];
        counts?: Rule[];
      }>
    ).filter((r) => r.id.startsWith('all-'));
    assert.equal(records.length, 6);
    const sourcesOf = (v: unknown, out: RuleSource[] = []): RuleSource[] => {
      if (Array.isArray(v)) v.forEach((x) => sourcesOf(x, out));
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === 'source') out.push(x as RuleSource);
          else sourcesOf(x, out);
        }
      return out;
    };
    const ranges = (l: string) =>
      l
        .split(',')
        .map((p) => p.trim().split('-').map(Number))
        .map(([a, b]) => [a, b ?? a] as const);
    const missing: string[] = [];
    for (const r of records) {
      const types = m!.measureTypes.filter((t) => t.catalogueIds?.includes(r.id));
      assert.equal(types.length, 1, r.id);
      const cited = sourcesOf(types).flatMap((s) => (s.kind === 'seed' ? ranges(s.lines) : []));
      for (const t of [...r.timers, ...(r.prerequisites ?? []), ...(r.age_triggers ?? []), ...(r.counts ?? [])]) {
        const own = t.lines ?? ranges(t.lines_text);
        if (!own.some(([c, d]) => cited.some(([a, b]) => a <= d && c <= b)))
          missing.push(`${r.id} ${t.kind ?? t.item} l.${t.lines_text}`);
      }
    }
    assert.deepEqual(missing, []);
  });
});

// ---- the common cadence: senest 3 måneder, herefter hver 6. måned ------------------------------

describe('kontaktperson-familie: 3 months, then every 6, and the end at a placement', () => {
  test('a back-dated measure through its whole life', () => {
    const p = al('kontaktperson-familie');
    // Granted 2026-01-12, started 2026-01-15, both documents in place at the grant.
    let s = run(p, [
      grant('kontaktperson-familie', '2026-01-15', {
        grantedOn: '2026-01-12',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);
    assert.equal(s.state, 'awaiting-first-follow-up', 'no startup meeting in this service level');
    assert.deepEqual(table(s), [
      // seed l.1405-1407: "dog senest efter 3 måneder efter iværksættelsen": 2026-01-15 + 3 months
      ['first-follow-up', null, '2026-04-15', 'pending'],
      // seed l.1385-1388: BFU and handleplan "som hovedregel ved iværksættelsen": met by the grant list on grantedOn
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-01-15', 'met'],
      ['prerequisite-handleplan', null, '2026-01-15', 'met'],
    ]);
    const ff = byId(s, 'first-follow-up');
    assert.deepEqual([ff.basis, ff.strength, lines(ff.source)], ['municipal', 'hard', cite('1405-1408')]);
    // BL § 95 says the same date; the municipal rule is listed first, the statute beside it.
    assert.deepEqual(
      ff.alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
      [['statutory', '2026-04-15']],
    );
    assert.equal(byId(s, 'prerequisite-handleplan').metOn, '2026-01-12');
    assert.equal(byId(s, 'prerequisite-handleplan').strength, 'soft');

    // "efter behov": an earlier follow-up meets it; then every 6 months from the one held.
    s = run(p, [followUp('2026-03-20'), followUp('2026-09-18')], s);
    assert.equal(s.state, 'following-up');
    assert.equal(byId(s, 'first-follow-up').metOn, '2026-03-20');
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-09-20'); // seed l.1407: "Herefter igen hver 6 mdr.": 2026-03-20 + 6 months
    assert.equal(byId(s, 'follow-up#1').metOn, '2026-09-18');
    assert.equal(byId(s, 'follow-up#2').dueOn, '2027-03-18'); // 2026-09-18 + 6 months

    // seed l.1358-1359: "Hvis barnet anbringes udenfor hjemmet, skal der i stedet etableres en støtteperson"
    s = run(p, [placed('2026-10-05')], s);
    assert.equal(s.state, 'reassessment-due');
    const end = byId(s, 'end-after-placement');
    assert.deepEqual(
      [end.dueOn, end.strength, end.forcesDecision, lines(end.source)],
      ['2026-10-05', 'hard', true, cite('1358-1359')],
    );
    s = run(p, [closed('2026-10-06', 'placed')], s);
    assert.equal(s.state, 'closed');
    assert.deepEqual(
      [byId(s, 'end-after-placement').status, byId(s, 'end-after-placement').metOn],
      ['met', '2026-10-06'],
    );
    assert.equal(byId(s, 'follow-up#2').status, 'cancelled');
  });
});

// ---- uddannelsessted: the yearly revisitation --------------------------------------------------

describe('uddannelsessted: prerequisites, 3/6-month follow-ups, the yearly revisitation by the visitationsudvalg', () => {
  test('revisited after a year and continued for another by the visitationsudvalg only', () => {
    const p = al('uddannelsessted');
    let s = run(p, [grant('uddannelsessted', '2025-08-11', { grantedOn: '2025-08-04', prerequisites: ALL_PREREQS })]);
    assert.deepEqual(table(s), [
      ['first-follow-up', null, '2025-11-11', 'pending'], // seed l.136-138: senest 3 måneder efter iværksættelsen af skoletilbuddet
      ['reassessment#1', null, '2026-08-11', 'pending'], // seed l.80: "Barnet revisiteres en gang om året": 2025-08-11 + 1 year
      // seed l.110-112: "Der skal foreligge en børnefaglig undersøgelse, en handleplan og et samtykke fra forældrene"
      ['prerequisite-boernefaglig-undersoegelse', null, '2025-08-11', 'met'],
      ['prerequisite-handleplan', null, '2025-08-11', 'met'],
      ['prerequisite-samtykke-foraeldre', null, '2025-08-11', 'met'],
    ]);
    assert.deepEqual(
      [byId(s, 'reassessment#1').strength, lines(byId(s, 'reassessment#1').source)],
      ['hard', cite('80-83')],
    );

    s = run(p, [followUp('2025-11-04'), followUp('2026-05-04')], s);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-05-04'); // seed l.138: "herefter igen hver 6 mdr.": 2025-11-04 + 6 months
    assert.equal(byId(s, 'follow-up#2').dueOn, '2026-11-04');
    assert.equal(s.state, 'following-up');

    s = tickTo(s, '2026-08-12');
    assert.equal(s.state, 'reassessment-due');
    assert.equal(displayStatus(byId(s, 'reassessment#1'), at('2026-08-12')), 'overdue');
    // seed l.118-119: "Kommunens visitationsudvalg visiterer til det rette skoletilbud"
    refusedWith(s, extended('2027-08-11', 'teamleder', '2026-08-12'), /must be approved by visitationsudvalg/);
    s = run(p, [extended('2027-08-11', 'visitationsudvalg', '2026-08-12')], s);
    assert.equal(s.state, 'following-up');
    assert.deepEqual([byId(s, 'reassessment#1').status, byId(s, 'reassessment#1').metOn], ['met', '2026-08-12']);
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2027-08-11'); // the next revisitation, a year on
  });

  test('documents missing at the grant are due on the start date and met by a later event', () => {
    const p = al('uddannelsessted');
    let s = run(p, [grant('uddannelsessted', '2025-08-11')]);
    for (const k of ALL_PREREQS) {
      const d = byId(s, `prerequisite-${k}`);
      assert.deepEqual([d.dueOn, d.status, d.strength], ['2025-08-11', 'pending', 'hard'], k);
    }
    s = run(p, [met('prerequisite-samtykke-foraeldre', '2025-08-20')], s);
    assert.equal(byId(s, 'prerequisite-samtykke-foraeldre').metOn, '2025-08-20');
    assert.equal(displayStatus(byId(s, 'prerequisite-handleplan'), at('2025-08-20')), 'overdue');
  });
});

// ---- praktisk pædagogisk støtte and its variants ------------------------------------------------

describe('praktisk pædagogisk støtte: startup meeting, one-year course, the 13-year assessment, end at placement', () => {
  test('a course through its life', () => {
    const p = al('praktisk-paedagogisk-stoette');
    let s = run(p, [
      grant('praktisk-paedagogisk-stoette', '2026-02-02', {
        grantedOn: '2026-01-28',
        birth: '2014-05-10',
        prerequisites: ['boernefaglig-undersoegelse'],
      }),
    ]);
    assert.equal(s.state, 'ordered');
    assert.deepEqual(table(s), [
      ['startup-meeting', null, '2026-02-16', 'pending'], // policy setting (seed l.426-427 gives no date): start + 2 weeks
      ['first-follow-up', null, '2026-05-02', 'pending'], // seed l.442: "Der følges op efter de første tre måneder"
      ['reassessment#1', null, '2027-02-02', 'pending'], // seed l.305-306: "som hovedregel være på et år"
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-02-02', 'met'], // seed l.301
      ['prerequisite-handleplan', null, '2026-02-02', 'pending'], // seed l.418-421, "som hovedregel"
      ['age-review', null, '2027-05-10', 'pending'], // seed l.399-401: "Hvis barnet er over 13 år skal det vurderes": 13th birthday
    ]);
    assert.equal(byId(s, 'startup-meeting').source.kind, 'policy-setting');
    assert.deepEqual(
      [byId(s, 'reassessment#1').strength, lines(byId(s, 'reassessment#1').source)],
      ['soft', cite('305-307')],
    );
    assert.deepEqual(
      [byId(s, 'prerequisite-boernefaglig-undersoegelse').strength, byId(s, 'prerequisite-handleplan').strength],
      ['hard', 'soft'],
    );

    // The startup meeting's 2 weeks are a municipal default (the seed sets no time): a follow-up
    // before it is accepted with a warning, not refused (issue 9.6).
    allowed(s, followUp('2026-02-05'));
    assert.match(
      warnings(p, followUp('2026-02-05'), run(p, [followUp('2026-02-05')], s).context.facts)
        .map((w) => `${w.code}: ${w.detail}`)
        .join(),
      /^follow-up-before-startup-meeting: .*before a startup meeting was reported/,
    );
    s = run(p, [met('prerequisite-handleplan', '2026-02-09'), startup('2026-02-10')], s);
    assert.equal(s.state, 'awaiting-first-follow-up');
    assert.equal(byId(s, 'prerequisite-handleplan').metOn, '2026-02-09');

    s = run(p, [followUp('2026-05-01'), followUp('2026-10-30')], s);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-01'); // seed l.443-445: "som minimum ... halvårlige opfølgninger"
    assert.equal(byId(s, 'follow-up#2').dueOn, '2027-04-30');

    // One year from the start: the course is reassessed; a continuation is the caseworker's (l.413).
    s = tickTo(s, '2027-02-03');
    assert.equal(s.state, 'reassessment-due');
    refusedWith(s, extended('2027-08-02', 'teamleder', '2027-02-03'), /must be approved by sagsbehandler/);
    s = run(p, [extended('2027-08-02', 'sagsbehandler', '2027-02-03')], s);
    assert.equal(s.state, 'following-up');
    assert.equal(byId(s, 'reassessment#1').metOn, '2027-02-03');
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2027-08-02');

    // The 13-year assessment is a reminder, not a forced decision.
    s = tickTo(s, '2027-05-11');
    assert.equal(s.state, 'following-up');
    assert.equal(displayStatus(byId(s, 'age-review'), at('2027-05-11')), 'overdue');
    s = run(p, [met('age-review', '2027-05-11')], s);
    assert.equal(byId(s, 'age-review').status, 'met');

    // Not an order: lack of motivation may end it (seed l.364-365).
    allowed(s, closed('2027-05-11', 'no-progress'));
    // seed l.277-279: "Endelig ophører den praktisk, pædagogisk støtte, hvis barnet anbringes."
    s = run(p, [placed('2027-06-01')], s);
    assert.equal(s.state, 'reassessment-due');
    assert.deepEqual(
      [byId(s, 'end-after-placement').dueOn, lines(byId(s, 'end-after-placement').source)],
      ['2027-06-01', cite('277-279')],
    );
    s = run(p, [closed('2027-06-01', 'placed')], s);
    assert.equal(s.state, 'closed');
    assert.equal(byId(s, 'end-after-placement').status, 'met');
  });

  test('"som hovedregel 0-13 år" is soft: a 16-year-old is not refused, and is due for the assessment at the start', () => {
    const p = al('praktisk-paedagogisk-stoette');
    const g = grant('praktisk-paedagogisk-stoette', '2026-03-02', { birth: '2010-01-01' });
    allowed(newMeasure(p), g);
    const s = run(p, [g]);
    // 13 on 2023-01-01, before the start 2026-03-02: due at the start, not before the measure existed.
    assert.equal(byId(s, 'age-review').dueOn, '2026-03-02');
    assert.equal(displayStatus(byId(s, 'age-review'), at('2026-03-02')), 'pending');
    assert.equal(displayStatus(byId(s, 'age-review'), at('2026-03-03')), 'overdue');
  });

  test('observationsforløb: closed within 3 months, no extension', () => {
    const p = al('praktisk-paedagogisk-stoette-observation');
    let s = run(p, [
      grant('praktisk-paedagogisk-stoette-observation', '2026-03-02', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);
    // seed l.320-321: "Observationen skal af hensyn til familien være afsluttet i løbet af 3 mdr."
    const limit = byId(s, 'reassessment#1');
    assert.deepEqual([limit.dueOn, limit.strength, lines(limit.source)], ['2026-06-02', 'hard', cite('318-321')]);
    assert.equal(byId(s, 'first-follow-up').dueOn, '2026-06-02');
    s = run(p, [startup('2026-03-09')], s);
    refusedWith(s, extended('2026-07-02', 'sagsbehandler', '2026-05-01'), /allows no extension/);
    s = tickTo(s, '2026-06-03');
    assert.equal(s.state, 'reassessment-due');
    s = run(p, [closed('2026-06-02', 'goal-reached', '2026-06-03')], s);
    assert.deepEqual([byId(s, 'reassessment#1').status, byId(s, 'reassessment#1').metOn], ['met', '2026-06-02']);
  });

  test('forældrepålæg: not closed for lack of motivation', () => {
    const p = al('praktisk-paedagogisk-stoette-foraeldrepaalaeg');
    assert.deepEqual(p.measureType.legalBasis, ['SEL § 52 stk. 3 nr. 2', 'SEL § 57a stk. 4']);
    const s = run(p, [grant('praktisk-paedagogisk-stoette-foraeldrepaalaeg', '2026-03-02'), startup('2026-03-10')]);
    // seed l.364-366: "stoppes hjælpen, hvis familien ikke er motiverede, dog ikke hvis hjælpen ydes som forældrepålæg"
    refusedWith(
      s,
      closed('2026-04-01', 'not-motivated'),
      /may not be closed with reason not-motivated: praktisk pædagogisk støtte givet som forældrepålæg/,
    );
    // Lack of effect is not lack of motivation: the order may end for it.
    allowed(s, closed('2026-04-01', 'no-progress'));
    allowed(s, closed('2026-04-01', 'goal-reached'));
    allowed(s, closed('2026-04-01', 'other'));
  });
});

// ---- familiebehandling ------------------------------------------------------------------------

describe('familiebehandling (Paraplyen): ca. 7 months, decided by faglig koordinator and familiechef', () => {
  test('four documents before start, the 7-month limit, extension by the familiechef (afdelingsleder)', () => {
    const p = al('familiebehandling');
    let s = run(p, [grant('familiebehandling', '2026-01-05')]);
    assert.deepEqual(table(s), [
      ['startup-meeting', null, '2026-01-19', 'pending'], // policy setting; the formøde (seed l.658-663)
      ['first-follow-up', null, '2026-04-05', 'pending'], // seed l.677-679: senest 3 måneder efter iværksættelsen af behandlingen
      ['reassessment#1', null, '2026-08-05', 'pending'], // seed l.591-592: "varighed på ca.7 måneder": soft
      // seed l.648-652: BFU, handleplan, parents' consent, and a psychologist in the assessment
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-01-05', 'pending'],
      ['prerequisite-handleplan', null, '2026-01-05', 'pending'],
      ['prerequisite-psykologvurdering', null, '2026-01-05', 'pending'],
      ['prerequisite-samtykke-foraeldre', null, '2026-01-05', 'pending'],
    ]);
    assert.equal(byId(s, 'reassessment#1').strength, 'soft');
    s = run(p, [met('prerequisite-psykologvurdering', '2026-01-05'), startup('2026-01-14'), followUp('2026-03-30')], s);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-09-30'); // seed l.679: "Herefter igen hver 6 mdr."
    // Family treatment may accompany a placement (seed l.532-536): a placement adds no deadline.
    const before = ids(s);
    s = run(p, [placed('2026-05-01')], s);
    assert.deepEqual(ids(s), before);
    assert.equal(s.state, 'following-up');

    s = tickTo(s, '2026-08-06');
    assert.equal(s.state, 'reassessment-due');
    // seed l.656-657: "Beslutningskompetencen ligger hos faglig koordinator og familiechefen."
    refusedWith(s, extended('2026-10-05', 'teamleder', '2026-08-06'), /must be approved by afdelingsleder/);
    s = run(p, [extended('2026-10-05', 'afdelingsleder', '2026-08-06')], s);
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2026-10-05');
    allowed(s, closed('2026-08-06', 'no-progress')); // seed l.684-685: stopped if the family is not motivated
  });

  test('as an order: no consent needed, and not closed for lack of motivation', () => {
    const p = al('familiebehandling-paalaeg');
    const s = run(p, [
      grant('familiebehandling-paalaeg', '2026-01-05', {
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'psykologvurdering'],
      }),
      startup('2026-01-12'),
    ]);
    // seed l.572-575: decided "uanset forældrene eller den unge ikke vil give deres samtykker hertil"
    assert.ok(!ids(s).includes('prerequisite-samtykke-foraeldre'));
    assert.ok(
      deadlines(s)
        .filter((d) => d.kind.startsWith('prerequisite-'))
        .every((d) => d.status === 'met'),
    );
    refusedWith(s, closed('2026-03-01', 'not-motivated'), /may not be closed with reason not-motivated/);
    allowed(s, closed('2026-03-01', 'no-progress'));
    allowed(s, closed('2026-03-01', 'goal-reached'));
  });
});

// ---- aflastning: the age rules -----------------------------------------------------------------

describe('aflastning: established by 12, assessed at 13, ended by 16', () => {
  test('grant age: "som udgangspunkt ikke" from 13 warns, it does not refuse (l.784-785, 894-896)', () => {
    // seed l.784-785 and l.894-896: "I 13-17 års alderen etableres aflastning som udgangspunkt ikke som
    // ny foranstaltning": soft (issue 9.9). Birth 2013-03-01: 13 on 2026-03-01.
    const s0 = newMeasure(al('aflastning'));
    // grantAge.max is exclusive: on the 13th birthday the child is 13.
    allowed(s0, grant('aflastning', '2026-02-28', { birth: '2013-03-01' }));
    assert.deepEqual(warnings(al('aflastning'), grant('aflastning', '2026-02-28', { birth: '2013-03-01' })), []);
    const late = grant('aflastning', '2026-03-01', { birth: '2013-03-01' });
    allowed(s0, late);
    assert.match(
      warnings(al('aflastning'), late)
        .map((w) => w.detail)
        .join(),
      /aflastning can be granted only up to the age of 13y.*soft rule/,
    );
    // The caseworker's words: Danish, the age as "13 år", the date as Danes write it, the seed's quote.
    assert.match(
      warnings(al('aflastning'), late)[0].message,
      /^Aflastning.* bevilges som udgangspunkt til børn og unge under 13 år; barnet er 13 år eller ældre ved start 01\.03\.2026.*serviceniveauet: "/,
    );
    // Without a birth date the case system has not told us the age: granted, no age deadlines.
    const s = run(al('aflastning'), [grant('aflastning', '2026-03-02')]);
    assert.ok(!deadlines(s).some((d) => d.kind.startsWith('age-')));
  });

  test('a measure from 11 to 16: the 13-year assessment forces a decision, the 16-year limit only closure settles', () => {
    const p = al('aflastning');
    let s = run(p, [grant('aflastning', '2026-01-12', { birth: '2014-09-30', prerequisites: ALL_PREREQS })]);
    assert.equal(s.state, 'awaiting-first-follow-up');
    assert.deepEqual(table(s), [
      ['first-follow-up', null, '2026-04-12', 'pending'], // seed l.930-932 (says "behandlingen": copy error)
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-01-12', 'met'], // seed l.905-907
      ['prerequisite-handleplan', null, '2026-01-12', 'met'],
      ['prerequisite-samtykke-foraeldre', null, '2026-01-12', 'met'],
      ['age-review', null, '2027-09-30', 'pending'], // seed l.785-786: "Ved 13 års alderen vurderes om foranstaltningen kan afsluttes"
      ['age-limit', null, '2030-09-30', 'pending'], // seed l.789-790: "Ved 16 års alderen afsluttes aflastningen senest."
    ]);
    assert.deepEqual([byId(s, 'age-limit').strength, lines(byId(s, 'age-limit').source)], ['hard', cite('789-790')]);

    s = run(p, [followUp('2026-04-10'), followUp('2026-10-01'), followUp('2027-03-30'), followUp('2027-09-29')], s);
    assert.deepEqual(
      deadlines(s)
        .filter((d) => d.kind === 'follow-up')
        .map((d) => d.dueOn),
      ['2026-10-10', '2027-04-01', '2027-09-30', '2028-03-29'], // seed l.932: every 6 months from the one held
    );
    s = tickTo(s, '2027-10-01');
    assert.equal(s.state, 'reassessment-due', 'the 13-year assessment is due');
    // The individual assessment (seed l.934-937) lets it continue: recorded as met.
    s = run(p, [met('age-review', '2027-09-30', '2027-10-01')], s);
    assert.equal(s.state, 'following-up');

    s = tickTo(s, '2030-10-01');
    assert.equal(s.state, 'reassessment-due');
    refusedWith(s, met('age-limit', '2030-10-01'), /has no obligation age-limit/);
    s = run(p, [closed('2030-09-30', 'aged-out', '2030-10-01')], s);
    assert.equal(s.state, 'closed');
    assert.deepEqual([byId(s, 'age-limit').status, byId(s, 'age-limit').metOn], ['met', '2030-09-30']);
  });
});

// ---- kontaktperson for unge and its variants ----------------------------------------------------

describe('kontaktperson-ung (Kontakten): transition plan at 17½, end at 18, end within 3 months of a placement', () => {
  const BIRTH = '2009-08-31'; // 17½ on 2027-02-28 (2027-02-31 clamped), 18 on 2027-08-31

  test('a placement: closed within 3 months as a rule', () => {
    const p = al('kontaktperson-ung');
    let s = run(p, [
      grant('kontaktperson-ung', '2026-01-05', {
        birth: BIRTH,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);
    assert.deepEqual(table(s), [
      ['startup-meeting', null, '2026-01-19', 'pending'], // policy setting (seed l.1177-1179 agrees a startup meeting)
      ['first-follow-up', null, '2026-04-05', 'pending'], // seed l.1202-1203: "efter de første tre måneder"
      ['prerequisite-boernefaglig-undersoegelse', null, '2026-01-05', 'met'], // seed l.1171-1172
      ['prerequisite-handleplan', null, '2026-01-05', 'met'],
      ['transition-plan', null, '2027-02-28', 'pending'], // seed l.1182-1184: "senest når den unge er 17,5 år lave en handleplan"
      ['aftercare-decision', null, '2027-02-28', 'pending'], // seed l.1231-1237: revurderes ved 17,5 år, efterværn § 76
      ['age-limit', null, '2027-08-31', 'pending'], // 18: efterværn is a new decision (seed l.1082-1084, 1233-1235)
    ]);
    s = run(p, [startup('2026-01-14'), followUp('2026-04-02', ['child', 'parents', 'executor'])], s);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-10-02'); // seed l.1205-1206: "som minimum ... hver 6 mdr."

    // seed l.1152-1154: "som hovedregel blive afsluttet løbet af tre måneder": 2026-06-15 + 3 months
    s = run(p, [placed('2026-06-15', '2026-07-01')], s);
    const end = byId(s, 'end-after-placement');
    assert.deepEqual([end.dueOn, end.strength, end.forcesDecision], ['2026-09-15', 'soft', true]);
    assert.equal(s.state, 'following-up');
    s = tickTo(s, '2026-09-16');
    assert.equal(s.state, 'reassessment-due');
    s = run(p, [closed('2026-09-14', 'placed', '2026-09-16')], s);
    assert.deepEqual(
      [byId(s, 'end-after-placement').status, byId(s, 'end-after-placement').metOn],
      ['met', '2026-09-14'],
    );
  });

  test('at 17½ the plan and the reassessment; at 18 the measure ends', () => {
    const p = al('kontaktperson-ung');
    let s = run(p, [
      grant('kontaktperson-ung', '2026-01-05', {
        birth: BIRTH,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
      startup('2026-01-14'),
      followUp('2026-04-02'),
      followUp('2026-10-01'),
    ]);
    s = run(p, [met('transition-plan', '2027-02-20'), met('aftercare-decision', '2027-02-25')], s);
    assert.deepEqual(
      [byId(s, 'transition-plan').metOn, byId(s, 'aftercare-decision').metOn],
      ['2027-02-20', '2027-02-25'],
    );
    assert.equal(lines(byId(s, 'transition-plan').source), cite('1182-1187'));
    s = tickTo(s, '2027-09-01');
    assert.equal(s.state, 'reassessment-due');
    s = run(p, [closed('2027-08-31', 'aged-out', '2027-09-01')], s);
    assert.equal(byId(s, 'age-limit').status, 'met');
  });

  test('ungepålæg: ends only when a contact person is judged unsuitable, not because it is not used', () => {
    const p = al('kontaktperson-ung-ungepaalaeg');
    const s = run(p, [grant('kontaktperson-ung-ungepaalaeg', '2026-01-05', { birth: BIRTH }), startup('2026-01-14')]);
    // seed l.1214-1216: "Forløbet skal dog ikke afsluttes, hvis det er givet som ungepålæg"
    refusedWith(
      s,
      closed('2026-03-01', 'offer-not-used'),
      /may not be closed with reason offer-not-used: en kontaktperson givet som ungepålæg/,
    );
    allowed(s, closed('2026-03-01', 'other'));
    assert.ok(ids(s).includes('transition-plan') && ids(s).includes('age-limit'));
  });

  test('part of a judgment: not closed for non-use (the court is told), no age limit at 18', () => {
    const p = al('kontaktperson-ung-dom');
    const s = run(p, [grant('kontaktperson-ung-dom', '2026-01-05', { birth: BIRTH }), startup('2026-01-14')]);
    // seed l.1209-1213: "skal forløbet afsluttes med mindre det er en del af en dom"
    refusedWith(s, closed('2026-03-01', 'offer-not-used'), /sagsbehandler indberetter i stedet til retten/);
    assert.deepEqual(
      deadlines(s)
        .filter((d) => d.kind.match(/transition|aftercare|age/))
        .map((d) => [d.id, d.dueOn]),
      [
        ['transition-plan', '2027-02-28'],
        ['aftercare-decision', '2027-02-28'],
      ],
    );
  });

  test('aftercare (efterværn): from 18, the right lapses at 23 or on a new placement', () => {
    const p = al('kontaktperson-eftervaern');
    const s0 = newMeasure(p);
    // Birth 2007-04-10: 18 on 2025-04-10, 23 on 2030-04-10 (seed l.1070-1073, 1082-1084).
    const early = grant('kontaktperson-eftervaern', '2025-04-09', { birth: '2007-04-10' });
    assert.match(check(s0, early, early.at) ?? '', /only from the age of 18y/);
    const late = grant('kontaktperson-eftervaern', '2030-04-11', { birth: '2007-04-10' });
    assert.match(check(s0, late, late.at) ?? '', /only up to the age of 23y/);

    let s = run(p, [
      grant('kontaktperson-eftervaern', '2025-05-01', { birth: '2007-04-10', prerequisites: ['handleplan'] }),
    ]);
    assert.deepEqual(table(s), [
      ['startup-meeting', null, '2025-05-15', 'pending'],
      ['first-follow-up', null, '2025-08-01', 'pending'], // seed l.1202-1204, the Kontakten rule; BL § 95 (aftercare, § 114) says the same date
      ['prerequisite-handleplan', null, '2025-05-01', 'met'],
      ['age-limit', null, '2030-04-10', 'pending'], // seed l.1072: "Retten bortfalder ved det 23 år"
    ]);
    assert.deepEqual(
      byId(s, 'first-follow-up').alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
      [['statutory', '2025-08-01']],
    );
    // seed l.1072-1073: "... eller, hvis den unge genanbringes."
    s = run(p, [startup('2025-05-08'), placed('2026-02-01', '2026-02-02')], s);
    assert.equal(s.state, 'reassessment-due');
    assert.equal(byId(s, 'end-after-placement').dueOn, '2026-02-01');
    s = run(p, [closed('2026-02-01', 'placed', '2026-02-02')], s);
    assert.equal(byId(s, 'end-after-placement').status, 'met');
  });
});

// ---- what is not machine-checked is still written down ----------------------------------------

describe('unenforced rules carry their reason', () => {
  test('hours caps, the 17-year exception, the minimum after release, the end of compulsory schooling', () => {
    const un = (slug: string) => (al(slug).measureType as MeasureTypePolicy).unenforced ?? [];
    const has = (slug: string, l: string) =>
      assert.ok(
        un(slug).some((u) => lines(u.source) === cite(l) && u.why.length > 0),
        `${slug} l.${l}`,
      );
    has('kontaktperson-familie', '1351-1352'); // op til to timer pr. uge
    has('aflastning', '934-937'); // afsluttes senest når barnet er 17 år (contradicts l.789-790)
    has('kontaktperson-ung', '989-993,1055-1059'); // min. 6 mdr. efter løsladelsen
    has('uddannelsessted', '144-148'); // ophører når undervisningspligten ophører
    has('uddannelsessted', '112-114'); // samtykke fra den unge over 15
  });
});

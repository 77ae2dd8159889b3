// Halsnæs (policies/halsnaes.json, seed 002_294730b57e2b5232.txt) driven through the measure machine:
// every measure type granted with its deadlines at grant, then one real measure of each rule kind
// through its life. Every date is worked out by hand from the seed; "l.N" is the seed line.
import { underSection95 } from '../machines/statutory';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { apply, check, deadlines, newMeasure, RefusedEvent, tick, type MeasureSnapshot } from '../machines/measure';
import { warnings } from '../machines/rules';
import { displayStatus } from '../machines/deadlines';
import type { MeasureEvent } from '../machines/event-catalogue';
import { getMunicipality, resolveMeasurePolicy } from '../policies/catalogue';
import { CATALOGUE_FILE } from '../scripts/coverage-report';
import type { MeasurePolicy, Participant } from '../policies/types';
import { byId, table, lines } from './support/machine-events';

const SEED = '002_294730b57e2b5232.txt';
const M = 'halsnaes';

// ---- builders --------------------------------------------------------------------------------

/** Events are stamped at 10:00 UTC (11:00 or 12:00 in Copenhagen) on their own date. */
const at = (date: string) => Date.parse(`${date}T10:00:00Z`);

type Ev<T extends MeasureEvent['type']> = Extract<MeasureEvent, { type: T }>;
let seq = 0;
function ev<T extends MeasureEvent['type']>(type: T, data: Ev<T>['data'], date: string): Ev<T> {
  return { eventId: `dubu/halsnaes/evt-${++seq}`, at: at(date), type, data } as Ev<T>;
}

/** Granted 2026-02-20, started Monday 2026-03-02, unless told otherwise. */
const START = '2026-03-02';
const GRANTED = '2026-02-20';
/** A 13-year-old at start (born 2012-05-10): within every hard age limit of the catalogue. */
const BORN = '2012-05-10';

function grant(measureType: string, extra: Partial<Ev<'measure.granted'>['data']> = {}) {
  return ev(
    'measure.granted',
    {
      municipality: M,
      measureType,
      caseId: 'C-2',
      caseworkerId: 'cw-7',
      grantedOn: GRANTED,
      startOn: START,
      childBirthDate: BORN,
      ...extra,
    },
    extra.grantedOn ?? GRANTED,
  );
}
const followUp = (
  heldOn: string,
  participants: Participant[],
  extra: { actionPlanDecision?: 'keep' | 'revise'; nextMeetingOn?: string } = {},
) => ev('measure.follow-up-held', { heldOn, participants, ...extra }, heldOn);
const met = (obligation: string, metOn: string) => ev('measure.obligation-met', { obligation, metOn }, metOn);
const session = (heldOn: string) => ev('measure.session-held', { heldOn }, heldOn);
const extended = (
  until: string,
  approvedBy: 'sagsbehandler' | 'teamleder' | 'afdelingsleder' | 'visitationsudvalg',
  on: string,
) => ev('measure.extended', { until, approvedBy }, on);
const closed = (closedOn: string, reason: Ev<'measure.closed'>['data']['reason'] = 'goal-reached') =>
  ev('measure.closed', { closedOn, reason }, closedOn);

function hal(slug: string): MeasurePolicy {
  const p = resolveMeasurePolicy(M, slug);
  assert.ok(p, `halsnaes/${slug} is in the catalogue`);
  return p;
}

/** Applies events in order, each at its own instant. */
function run(slug: string, events: MeasureEvent[]): MeasureSnapshot {
  return events.reduce((s, e) => apply(s, e, e.at), newMeasure(hal(slug)));
}
const more = (s: MeasureSnapshot, ...events: MeasureEvent[]) => events.reduce((x, e) => apply(x, e, e.at), s);

function refused(s: MeasureSnapshot, e: MeasureEvent, pattern: RegExp) {
  const why = check(s, e, e.at);
  assert.ok(why !== null, `check refuses ${e.type}`);
  assert.match(why, pattern);
  assert.throws(
    () => apply(s, e, e.at),
    (err: unknown) => err instanceof RefusedEvent && err.message === why,
  );
}

// ---- the catalogue ---------------------------------------------------------------------------

const CATALOGUE_IDS: Record<string, string> = {
  konsulentbistand: 'hal-konsulentbistand',
  'raadgivning-funktionsnedsaettelse': 'hal-11-4-funktionsnedsaettelse',
  merudgifter: 'hal-merudgifter-41',
  'tabt-arbejdsfortjeneste': 'hal-tabt-arbejdsfortjeneste-42',
  'aflastning-handicap': 'hal-aflastning-44',
  ledsagelse: 'hal-ledsagelse-45',
  dagtilbud: 'hal-dagtilbud',
  aktiviteter: 'hal-aktiviteter',
  'praktisk-paedagogisk-stoette': 'hal-pps',
  familiebehandling: 'hal-familiebehandling',
  'doegnophold-familie': 'hal-doegnophold-familie',
  aflastning: 'hal-aflastning',
  kontaktperson: 'hal-kontaktperson',
  plejefamilie: 'hal-plejefamilie',
  netvaerkspleje: 'hal-netvaerkspleje',
  'eget-vaerelse': 'hal-eget-vaerelse',
  opholdssted: 'hal-opholdssted',
  doegninstitution: 'hal-doegninstitution',
  praktik: 'hal-praktik',
  'vordende-foraeldre': 'hal-vordende-foraeldre',
  'oekonomisk-stoette-efterskole': 'hal-oekonomi-efterskole',
  'oekonomisk-stoette': 'hal-oekonomi-52a',
  stoetteperson: 'hal-stoetteperson-54',
};

/** SEL § 52 stk. 3 nr. 1-6 and 8, and § 52 stk. 4: supportive measures under the BL § 95 floor. */
const PLACEMENTS = ['plejefamilie', 'netvaerkspleje', 'eget-vaerelse', 'opholdssted', 'doegninstitution'];
/** BL § 95 stk. 1: the § 32 supportive measures and the §§ 46/47 placements. */
const STATUTORY = [
  'dagtilbud',
  'aktiviteter',
  'praktisk-paedagogisk-stoette',
  'familiebehandling',
  'doegnophold-familie',
  'aflastning',
  'kontaktperson',
  'praktik',
  'vordende-foraeldre',
  'plejefamilie',
  'netvaerkspleje',
  'eget-vaerelse',
  'opholdssted',
  'doegninstitution',
];

describe('the Halsnæs catalogue', () => {
  test('one measure type per catalogue record, each record in exactly one type', () => {
    const p = getMunicipality(M);
    assert.ok(p);
    assert.equal(p.name, 'Halsnæs Kommune');
    assert.equal(p.document.file, SEED);
    assert.deepEqual(
      Object.fromEntries(p.measureTypes.map((t) => [t.slug, (t.catalogueIds ?? []).join(',')])),
      CATALOGUE_IDS,
    );
    const catalogue = JSON.parse(fs.readFileSync(CATALOGUE_FILE, 'utf8')) as Array<{ id: string }>;
    assert.deepEqual(
      catalogue
        .filter((r) => r.id.startsWith('hal-'))
        .map((r) => r.id)
        .sort(),
      Object.values(CATALOGUE_IDS).sort(),
    );
  });

  test('the BL § 95 floor applies to the supportive measures and the placements; no type has a startup meeting', () => {
    const p = getMunicipality(M)!;
    assert.deepEqual(
      p.measureTypes
        .filter((t) => underSection95(t))
        .map((t) => t.slug)
        .sort(),
      [...STATUTORY].sort(),
    );
    // The seed mentions startup meetings (e.g. l.1580) but sets no time for them.
    assert.deepEqual(
      p.measureTypes.filter((t) => t.startupMeeting || t.treatmentPlan).map((t) => t.slug),
      [],
    );
    assert.deepEqual(
      p.escalation.map((e) => [e.level, e.role, e.after, e.source.kind]),
      [
        [1, 'sagsbehandler', 'P0D', 'policy-setting'],
        [2, 'teamleder', 'P7D', 'policy-setting'],
        [3, 'afdelingsleder', 'P14D', 'policy-setting'],
      ],
    );
  });
});

// ---- every type at grant ---------------------------------------------------------------------

// Start 2026-03-02: +1 month 2026-04-02, +3 months 2026-06-02, +6 months 2026-09-02, +1 year 2027-03-02.
// Born 2012-05-10: 18 on 2030-05-10. No prerequisites listed on the grant: each is due on the start.
const PRE = [
  ['prerequisite-boernefaglig-undersoegelse', null, START, 'pending'],
  ['prerequisite-handleplan', null, START, 'pending'],
] as const;
const AT_GRANT: Record<
  string,
  { state: string; table: ReadonlyArray<readonly [string, string | null, string, string]> }
> = {
  // l.212-213: "Tildeles typisk som udgangspunkt for en periode af tre måneder, herefter ... revurdering"
  konsulentbistand: { state: 'following-up', table: [['reassessment#1', null, '2026-06-02', 'pending']] },
  // l.321-322: a count (1-3 samtaleforløb) only: no date until it is reached
  'raadgivning-funktionsnedsaettelse': { state: 'following-up', table: [] },
  // l.487-493: "indenfor 3 måneder og herefter mindst 1 gang om året"; l.365-369: "under 18 år"
  merudgifter: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['age-limit', null, '2030-05-10', 'pending'],
    ],
  },
  // l.751-753: "skal følges op efter 3 måneder"; l.543-545: "under 18 år"
  'tabt-arbejdsfortjeneste': {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['age-limit', null, '2030-05-10', 'pending'],
    ],
  },
  // l.959-960: "minimum én gang årligt"
  'aflastning-handicap': {
    state: 'awaiting-first-follow-up',
    table: [['first-follow-up', null, '2027-03-02', 'pending']],
  },
  // l.1124-1127: "hver 6. måned"; l.1035-1042: written agreement before the start; l.1008: 12-18 år
  ledsagelse: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-09-02', 'pending'],
      ['prerequisite-skriftlig-aftale', null, START, 'pending'],
      ['age-limit', null, '2030-05-10', 'pending'],
    ],
  },
  // l.1265-1268: first after 3 months; l.1215-1220: a 3-month initial course, then assessment
  dagtilbud: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.1370-1376: first after 3 months; l.1361-1364: "som oftest med udgangspunkt i 1 år"
  aktiviteter: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2027-03-02', 'pending'],
      ...PRE,
    ],
  },
  // l.1635-1638 / l.1557-1562
  'praktisk-paedagogisk-stoette': {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.1847-1851 / l.1717-1722
  familiebehandling: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.2029-2031: "gerne 1 gang månedligt"; l.1980-1984: "ofte ... 3 – 6 måneder"
  'doegnophold-familie': {
    state: 'awaiting-first-follow-up',
    // The soft monthly rhythm (l.2029-2031) and, behind it, the hard BL § 95 floor as its own deadline.
    table: [
      ['first-follow-up', null, '2026-04-02', 'pending'],
      ['first-follow-up-statutory', null, '2026-06-02', 'pending'],
      ['reassessment#1', '2026-06-02', '2026-09-02', 'pending'],
      ...PRE,
    ],
  },
  // l.2254-2256: first after 3 months; l.2258-2260: a child conversation at least once a year
  aflastning: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['child-conversation', null, '2027-03-02', 'pending'],
    ],
  },
  // l.2449-2453 / l.2369-2374
  kontaktperson: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.2615-2619: visit after 3 months; l.2621-2625: review at most 6 months apart; l.2627-2629: 2 child conversations a year
  plejefamilie: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['visit', null, '2026-06-02', 'pending'],
      ['plan-review', null, '2026-09-02', 'pending'],
      ['child-conversation', null, '2026-09-02', 'pending'],
      ['prerequisite-samarbejdsmoede', null, START, 'pending'], // l.2607-2613: samarbejdsmøde om anbringelsen (issue 9.10)
    ],
  },
  // l.2827-2831, l.2833-2837, l.2839-2841
  netvaerkspleje: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['visit', null, '2026-06-02', 'pending'],
      ['plan-review', null, '2026-09-02', 'pending'],
      ['child-conversation', null, '2026-09-02', 'pending'],
      ['prerequisite-samarbejdsmoede', null, START, 'pending'], // l.2819-2825: samarbejdsmøde om anbringelsen (issue 9.10)
    ],
  },
  // l.3067-3073, l.3075-3077 (no visit or meeting rhythm for this form)
  'eget-vaerelse': {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['plan-review', null, '2026-09-02', 'pending'],
      ['child-conversation', null, '2026-09-02', 'pending'],
      ['prerequisite-samarbejdsmoede', null, START, 'pending'], // l.3059-3065: samarbejdsmøde om anbringelsen (issue 9.10)
    ],
  },
  // l.3291-3293: meeting after 3 months; l.3295-3299; l.3301-3303
  opholdssted: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['placement-meeting', null, '2026-06-02', 'pending'],
      ['plan-review', null, '2026-09-02', 'pending'],
      ['child-conversation', null, '2026-09-02', 'pending'],
      ['prerequisite-samarbejdsmoede', null, START, 'pending'], // l.3283-3289: samarbejdsmøde om anbringelsen (issue 9.10)
    ],
  },
  // l.3513-3515, l.3517-3521, l.3523-3525
  doegninstitution: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ...PRE,
      ['placement-meeting', null, '2026-06-02', 'pending'],
      ['plan-review', null, '2026-09-02', 'pending'],
      ['child-conversation', null, '2026-09-02', 'pending'],
      ['prerequisite-samarbejdsmoede', null, START, 'pending'], // l.3505-3511: samarbejdsmøde om anbringelsen (issue 9.10)
    ],
  },
  // l.3691-3700 / l.3626-3632
  praktik: {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.3957-3960 / l.3880-3885
  'vordende-foraeldre': {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2026-06-02', 'pending'],
      ...PRE,
    ],
  },
  // l.4148-4152: first after 3 months; l.4063-4069: one school year at a time; l.4071-4078: after half a year
  'oekonomisk-stoette-efterskole': {
    state: 'awaiting-first-follow-up',
    table: [
      ['first-follow-up', null, '2026-06-02', 'pending'],
      ['reassessment#1', null, '2027-03-02', 'pending'],
      ...PRE,
      ['extension-assessment', null, '2026-09-02', 'pending'],
    ],
  },
  // l.4167-4317: no deadline of any kind
  'oekonomisk-stoette': { state: 'following-up', table: [] },
  // l.4336-4341: § 50 / § 140 "Ja"; l.4452-4454: the scope reviewed at least yearly
  stoetteperson: { state: 'following-up', table: [...PRE, ['scope-review', null, '2027-03-02', 'pending']] },
};

describe('every Halsnæs type granted 2026-02-20, started 2026-03-02, the child born 2012-05-10', () => {
  test('the table covers every type', () => {
    assert.deepEqual(Object.keys(AT_GRANT).sort(), Object.keys(CATALOGUE_IDS).sort());
  });
  for (const [slug, want] of Object.entries(AT_GRANT)) {
    test(slug, () => {
      const s = run(slug, [grant(slug)]);
      assert.equal(s.state, want.state);
      assert.deepEqual(table(s), want.table);
      for (const d of deadlines(s))
        assert.ok(
          (d.source.kind === 'seed' && d.source.document === SEED) || d.basis === 'statutory',
          `${slug}/${d.id} cites the seed or the statute`,
        );
      if (PLACEMENTS.includes(slug)) {
        // No municipal follow-up rhythm: BL § 95, jf. § 96 governs, 3 months from start (2026-06-02).
        const ff = byId(s, 'first-follow-up');
        assert.deepEqual(
          [ff.basis, ff.strength, ff.source.kind === 'statute' && ff.source.paragraph],
          ['statutory', 'hard', 'Barnets Lov § 95, jf. § 96'],
        );
      } else if (STATUTORY.includes(slug)) {
        // BL § 95: 3 months from start (2026-06-02), listed beside the municipal rule.
        const ff = byId(s, 'first-follow-up');
        assert.equal(ff.basis, 'municipal');
        assert.deepEqual(
          ff.alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
          [['statutory', '2026-06-02']],
        );
      }
      // Nothing is overdue the day of the grant; on the start's next day the prerequisites are.
      assert.deepEqual(
        deadlines(s).filter((d) => displayStatus(d, at(GRANTED)) === 'overdue'),
        [],
      );
      const late = deadlines(s)
        .filter((d) => displayStatus(d, at('2026-03-03')) === 'overdue')
        .map((d) => d.id);
      assert.deepEqual(
        late,
        want.table.filter(([id]) => id.startsWith('prerequisite-')).map(([id]) => id),
      );
    });
  }
});

// ---- the follow-up chain ---------------------------------------------------------------------

describe('praktisk pædagogisk støtte: 3-month course, yearly follow-up, agreed next meeting', () => {
  const base = () =>
    run('praktisk-paedagogisk-stoette', [
      grant('praktisk-paedagogisk-stoette', { prerequisites: ['boernefaglig-undersoegelse'] }),
      // l.1613-1617: the action plan arrives late
      met('prerequisite-handleplan', '2026-03-10'),
      // l.1635-1638: "revurderes sammen med familien og familierådgiver": without the counsellor it does not count
      followUp('2026-05-28', ['parents']),
      // l.1621-1626: "På hvert opfølgningsmøde aftales tidspunktet for det næste møde."
      followUp('2026-05-29', ['parents', 'executor'], { nextMeetingOn: '2026-11-15' }),
    ]);

  test('prerequisites: one from the grant list, one by event', () => {
    const s = base();
    assert.deepEqual(
      [
        byId(s, 'prerequisite-boernefaglig-undersoegelse').status,
        byId(s, 'prerequisite-boernefaglig-undersoegelse').metOn,
      ],
      ['met', GRANTED],
    );
    assert.deepEqual(
      [byId(s, 'prerequisite-handleplan').status, byId(s, 'prerequisite-handleplan').metOn],
      ['met', '2026-03-10'],
    );
  });

  test('a follow-up without the provider is kept but does not count; the next counts and the agreed date governs', () => {
    const s = base();
    assert.deepEqual(
      s.context.facts.followUps.map((f) => [f.heldOn, f.counts, f.missing]),
      [
        ['2026-05-28', false, ['participant executor']],
        ['2026-05-29', true, []],
      ],
    );
    assert.equal(byId(s, 'first-follow-up').metOn, '2026-05-29');
    // l.1635-1638: "derefter mindst en gang årligt": 2026-05-29 + 1 year = 2027-05-29; the meeting agreed for 2026-11-15 is earlier and governs.
    const next = byId(s, 'follow-up#1');
    assert.equal(next.dueOn, '2026-11-15');
    assert.equal(lines(next), `${SEED}:1621-1626`);
    assert.deepEqual(
      next.alsoRequiredBy?.map((a) => a.dueOn),
      ['2027-05-29'],
    );
  });

  test('at 3 months the course is reassessed: extension by the allocation committee only', () => {
    const s = base();
    assert.equal(s.state, 'following-up');
    // l.1557-1562: 2026-03-02 + 3 months = 2026-06-02 (soft: "tager dog udgangspunkt i")
    const r = byId(s, 'reassessment#1');
    assert.deepEqual([r.dueOn, r.strength, lines(r)], ['2026-06-02', 'soft', `${SEED}:1557-1562`]);
    assert.equal(tick(s, Date.parse('2026-06-01T12:00:00Z')).state, 'following-up');
    const due = tick(s, at('2026-06-02'));
    assert.equal(due.state, 'reassessment-due');
    // l.1483: "Kompetencefordeling Visitationsudvalget"
    refused(
      due,
      extended('2027-03-02', 'teamleder', '2026-06-02'),
      /must be approved by visitationsudvalg; approvedBy was teamleder/,
    );
    const x = more(due, extended('2027-03-02', 'visitationsudvalg', '2026-06-02'));
    assert.equal(x.state, 'following-up');
    assert.deepEqual([byId(x, 'reassessment#1').status, byId(x, 'reassessment#1').metOn], ['met', '2026-06-02']);
    assert.deepEqual(
      [byId(x, 'reassessment#1.1').dueOn, byId(x, 'reassessment#1.1').status],
      ['2027-03-02', 'pending'],
    );
    // The agreed meeting is held; with no new date agreed the yearly rhythm runs: 2026-11-10 + 1 year.
    const y = more(x, followUp('2026-11-10', ['parents', 'executor']));
    assert.equal(byId(y, 'follow-up#1').metOn, '2026-11-10');
    assert.deepEqual(
      [byId(y, 'follow-up#2').dueOn, lines(byId(y, 'follow-up#2'))],
      ['2027-11-10', `${SEED}:1635-1638`],
    );
    const c = more(y, closed('2027-02-15'));
    assert.equal(c.state, 'closed');
    assert.deepEqual(
      deadlines(c).filter((d) => d.status === 'pending'),
      [],
    );
    assert.equal(byId(c, 'follow-up#2').status, 'cancelled');
    assert.equal(byId(c, 'reassessment#1.1').metOn, '2027-02-15');
  });

  test('back-dated import: the missed first follow-up is overdue at once', () => {
    const s = run('praktisk-paedagogisk-stoette', [
      grant('praktisk-paedagogisk-stoette', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] }),
    ]);
    const now = at('2026-07-01');
    const t = tick(s, now);
    assert.equal(t.state, 'reassessment-due');
    assert.deepEqual(
      deadlines(t)
        .filter((d) => displayStatus(d, now) === 'overdue')
        .map((d) => d.id),
      ['first-follow-up', 'reassessment#1'],
    );
  });
});

describe('familiebehandling and kontaktperson: who must take part', () => {
  test('familiebehandling: the family and the counsellor or day-treatment provider (l.1847-1851)', () => {
    let s = run('familiebehandling', [grant('familiebehandling'), followUp('2026-05-15', ['parents', 'network'])]);
    assert.equal(byId(s, 'first-follow-up').status, 'pending');
    s = more(s, followUp('2026-05-20', ['parents', 'executor']));
    // "derefter mindst en gang årligt": 2026-05-20 + 1 year
    assert.equal(byId(s, 'follow-up#1').dueOn, '2027-05-20');
  });

  test('kontaktperson: the young person too (l.2449-2453); the 13-18 target group is soft (l.2306)', () => {
    // A 10-year-old (born 2016-01-01): not refused, "Målgruppen er ... 13 – 18 år" carries no "kun".
    let s = run('kontaktperson', [
      grant('kontaktperson', { childBirthDate: '2016-01-01' }),
      followUp('2026-05-15', ['parents', 'executor']),
    ]);
    assert.deepEqual(s.context.facts.followUps[0].missing, ['participant child']);
    s = more(s, followUp('2026-05-18', ['child', 'parents', 'executor'], { nextMeetingOn: '2026-08-18' }));
    // l.2433-2439: the agreed date (2026-08-18) is earlier than 2026-05-18 + 1 year
    assert.deepEqual(
      [byId(s, 'follow-up#1').dueOn, byId(s, 'follow-up#1').alsoRequiredBy?.[0].dueOn],
      ['2026-08-18', '2027-05-18'],
    );
    // An agreed date later than the rhythm does not loosen it.
    const late = more(
      run('kontaktperson', [grant('kontaktperson')]),
      followUp('2026-05-18', ['child', 'parents', 'executor'], { nextMeetingOn: '2027-09-01' }),
    );
    assert.equal(byId(late, 'follow-up#1').dueOn, '2027-05-18');
  });
});

describe('half-yearly rhythms', () => {
  test('praktik: every half year after the first (l.3691-3700), the agreed date governs when earlier (l.3677-3683)', () => {
    let s = run('praktik', [
      grant('praktik', { childBirthDate: '2011-01-15', prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] }),
    ]);
    s = more(s, followUp('2026-05-29', ['child', 'parents', 'executor']));
    // 2026-05-29 + 6 months = 2026-11-29
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-29');
    s = more(s, followUp('2026-11-20', ['child', 'parents', 'executor'], { nextMeetingOn: '2027-02-01' }));
    assert.equal(byId(s, 'follow-up#2').dueOn, '2027-02-01');
    // l.3626-3632: the 3-month course ended 2026-06-02 with no decision: the measure is still awaiting one.
    assert.equal(s.state, 'reassessment-due');
    assert.equal(displayStatus(byId(s, 'reassessment#1'), at('2026-11-20')), 'overdue');
    // l.3559: the caseworker decides on a continuation
    const course = tick(run('praktik', [grant('praktik')]), at('2026-06-03'));
    assert.equal(course.state, 'reassessment-due');
    refused(course, extended('2026-12-02', 'visitationsudvalg', '2026-06-03'), /must be approved by sagsbehandler/);
    assert.equal(more(course, extended('2026-12-02', 'sagsbehandler', '2026-06-03')).state, 'awaiting-first-follow-up');
  });

  test('praktik: "ca. 14 – 18 år" is soft (l.3571-3572): a 13-year-old is not refused', () => {
    assert.equal(check(newMeasure(hal('praktik')), grant('praktik'), at(GRANTED)), null);
  });

  test('vordende forældre: 6-monthly (l.3957-3960); extension by the caseworker or the committee (l.3729)', () => {
    let s = run('vordende-foraeldre', [
      grant('vordende-foraeldre', {
        childBirthDate: undefined,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);
    s = more(s, followUp('2026-05-26', ['parents', 'executor']));
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-26'); // 2026-05-26 + 6 months
    const due = tick(s, at('2026-06-02'));
    assert.equal(due.state, 'reassessment-due');
    refused(
      due,
      extended('2026-09-02', 'teamleder', '2026-06-02'),
      /must be approved by sagsbehandler or visitationsudvalg/,
    );
    assert.equal(check(due, extended('2026-09-02', 'sagsbehandler', '2026-06-02'), at('2026-06-02')), null);
    assert.equal(more(due, extended('2026-09-02', 'visitationsudvalg', '2026-06-02')).state, 'following-up');
  });

  test('dagtilbud: the family must take part (l.1265-1268); the course is continued by the caseworker (l.1154, l.1215-1220)', () => {
    let s = run('dagtilbud', [grant('dagtilbud'), followUp('2026-06-01', ['parents'])]);
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-12-01'); // "herefter mindst hver halve år"
    s = tick(s, at('2026-06-02'));
    assert.equal(s.state, 'reassessment-due');
    s = more(s, extended('2027-03-02', 'sagsbehandler', '2026-06-02')); // up to the usual 1 year (l.1210-1213)
    assert.equal(byId(s, 'reassessment#1.1').dueOn, '2027-03-02');
  });
});

describe('aktiviteter and aflastning: a decision on the action plan at each follow-up', () => {
  test('aktiviteter: "vurdering af behovet, herunder regulering af handleplanens mål" (l.1370-1376); yearly grant (l.1361-1364)', () => {
    let s = run('aktiviteter', [grant('aktiviteter'), followUp('2026-05-20', ['parents'])]);
    assert.deepEqual(s.context.facts.followUps[0].missing, ['a decision on the action plan']);
    s = more(s, followUp('2026-05-21', ['parents'], { actionPlanDecision: 'revise' }));
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-21'); // l.1429-1433: "herefter mindst hver halve år"
    assert.equal(tick(s, Date.parse('2027-03-01T12:00:00Z')).state, 'following-up');
    const due = tick(s, at('2027-03-02'));
    assert.equal(due.state, 'reassessment-due');
    assert.equal(byId(due, 'reassessment#1').strength, 'soft');
    assert.equal(more(due, extended('2028-03-02', 'sagsbehandler', '2027-03-02')).state, 'following-up');
  });

  test('aflastning: "opfølgning af handleplanen" counts with a plan decision (l.2254-2256); a child conversation yearly (l.2258-2260)', () => {
    // l.2111-2113: "som udgangspunkt ... under 10 år" is soft: the 13-year-old is not refused.
    let s = run('aflastning', [grant('aflastning', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] })]);
    s = more(s, followUp('2026-05-25', []));
    assert.equal(byId(s, 'first-follow-up').status, 'pending');
    s = more(s, followUp('2026-05-26', [], { actionPlanDecision: 'keep' }));
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-11-26'); // "derefter hver halve år"
    s = more(s, met('child-conversation', '2027-02-20'));
    assert.deepEqual(
      [byId(s, 'child-conversation').metOn, byId(s, 'child-conversation#1').dueOn],
      ['2027-02-20', '2028-02-20'],
    );
  });
});

describe('døgnophold for hele familien: a soft monthly rhythm ahead of the statutory floor, a 3-6 month stay', () => {
  test('the monthly follow-up governs (l.2029-2031); the stay is decided on between 3 and 6 months (l.1980-1984)', () => {
    let s = run('doegnophold-familie', [
      grant('doegnophold-familie', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] }),
    ]);
    const ff = byId(s, 'first-follow-up');
    assert.deepEqual([ff.dueOn, ff.strength, ff.basis], ['2026-04-02', 'soft', 'municipal']);
    // The soft rule does not swallow the hard floor: started 2026-03-02, BL § 95 stk. 2 says 2026-06-02.
    const floor = byId(s, 'first-follow-up-statutory');
    assert.deepEqual(
      [floor.kind, floor.dueOn, floor.strength, floor.basis],
      ['first-follow-up', '2026-06-02', 'hard', 'statutory'],
    );
    assert.deepEqual(
      floor.alsoRequiredBy?.map((a) => [a.basis, a.dueOn]),
      [['municipal', '2026-04-02']],
    );
    // Missing the soft month only warns; on 2026-06-03 the statutory one is overdue too.
    assert.deepEqual(
      deadlines(s)
        .filter((d) => displayStatus(d, at('2026-06-03')) === 'overdue' && d.kind === 'first-follow-up')
        .map((d) => d.id),
      ['first-follow-up', 'first-follow-up-statutory'],
    );
    // One follow-up held meets both.
    s = more(s, followUp('2026-04-01', ['parents', 'executor']));
    assert.deepEqual(
      [
        byId(s, 'first-follow-up').status,
        byId(s, 'first-follow-up-statutory').status,
        byId(s, 'first-follow-up-statutory').metOn,
      ],
      ['met', 'met', '2026-04-01'],
    );
    assert.equal(byId(s, 'follow-up#1').dueOn, '2026-05-01'); // 2026-04-01 + 1 month
    // Expected from 2026-06-02, overdue after 2026-09-02.
    assert.equal(tick(s, at('2026-06-15')).state, 'following-up');
    const due = tick(s, at('2026-09-02'));
    assert.equal(due.state, 'reassessment-due');
    // l.1879: the allocation committee
    refused(due, extended('2026-10-02', 'sagsbehandler', '2026-09-02'), /must be approved by visitationsudvalg/);
    const c = more(due, closed('2026-09-04'));
    assert.deepEqual([c.state, byId(c, 'reassessment#1').metOn], ['closed', '2026-09-04']);
  });
});

// ---- count limits ----------------------------------------------------------------------------

describe('count limits', () => {
  test('konsulentbistand: 5-10 meetings (l.215-217): the course is due to end at the 10th', () => {
    const weekly = [
      '2026-03-05',
      '2026-03-12',
      '2026-03-19',
      '2026-03-26',
      '2026-04-02',
      '2026-04-09',
      '2026-04-16',
      '2026-04-23',
      '2026-04-30',
    ];
    let s = run('konsulentbistand', [grant('konsulentbistand'), ...weekly.map(session)]);
    assert.ok(!deadlines(s).some((d) => d.kind === 'course-end'), 'no date before the 10th meeting');
    assert.equal(s.state, 'following-up');
    s = more(s, session('2026-05-07'));
    const end = byId(s, 'course-end');
    assert.deepEqual([end.dueOn, end.strength, lines(end)], ['2026-05-07', 'soft', `${SEED}:215-217`]);
    assert.equal(s.state, 'reassessment-due');
    s = more(s, closed('2026-05-12'));
    assert.deepEqual([byId(s, 'course-end').metOn, byId(s, 'reassessment#1').metOn], ['2026-05-12', '2026-05-12']);
  });

  test('konsulentbistand: after 3 months a revurdering (l.212-213), continued with the leader (l.145)', () => {
    const s = run('konsulentbistand', [grant('konsulentbistand'), session('2026-03-05')]);
    const due = tick(s, at('2026-06-02'));
    assert.equal(due.state, 'reassessment-due');
    refused(due, extended('2026-09-02', 'sagsbehandler', '2026-06-02'), /must be approved by teamleder/);
    const x = more(due, extended('2026-09-02', 'teamleder', '2026-06-02'));
    assert.equal(x.state, 'following-up');
    assert.equal(byId(x, 'reassessment#1.1').dueOn, '2026-09-02');
  });

  test('rådgivning (§ 11 stk. 4): typically 1-3 samtaleforløb (l.321-322)', () => {
    let s = run('raadgivning-funktionsnedsaettelse', [
      grant('raadgivning-funktionsnedsaettelse'),
      session('2026-03-10'),
      session('2026-04-14'),
    ]);
    assert.deepEqual(table(s), []);
    s = more(s, session('2026-05-19'));
    assert.deepEqual(table(s), [['course-end', null, '2026-05-19', 'pending']]);
    assert.equal(s.state, 'reassessment-due');
    // No reassessment rule: the count's decision is a closure.
    refused(s, extended('2026-08-19', 'sagsbehandler', '2026-05-19'), /allows no extension/);
    assert.equal(more(s, closed('2026-05-19')).state, 'closed');
  });
});

// ---- placements: obligations -----------------------------------------------------------------

describe('plejefamilie: visit after 3 months then yearly, review ≤ 6 months apart, 2 child conversations a year', () => {
  const placed = () =>
    run('plejefamilie', [grant('plejefamilie', { prerequisites: ['boernefaglig-undersoegelse', 'handleplan'] })]);

  test('no municipal follow-up chain: the statutory first follow-up and the obligations', () => {
    const s = placed();
    assert.equal(s.state, 'awaiting-first-follow-up');
    assert.deepEqual(
      [byId(s, 'prerequisite-handleplan').status, byId(s, 'prerequisite-handleplan').metOn],
      ['met', GRANTED],
    );
    // BL § 95 stk. 2, jf. § 96: started 2026-03-02, followed up by 2026-06-02; no recurring rhythm (stk. 3).
    assert.deepEqual(
      deadlines(s)
        .filter((d) => d.kind === 'first-follow-up' || d.kind === 'follow-up')
        .map((d) => [d.id, d.dueOn, d.basis]),
      [['first-follow-up', '2026-06-02', 'statutory']],
    );
    // Only this type's obligations can be reported met.
    refused(s, met('placement-meeting', '2026-05-20'), /plejefamilie has no obligation placement-meeting/);
  });

  test('each obligation is counted from the last time it was met', () => {
    let s = placed();
    // l.2615-2619: visited 2026-05-20; "derefter minimum 1 gang årligt": next by 2027-05-20
    s = more(s, met('visit', '2026-05-20'));
    assert.deepEqual(
      [byId(s, 'visit').metOn, byId(s, 'visit#1').dueOn, lines(byId(s, 'visit#1'))],
      ['2026-05-20', '2027-05-20', `${SEED}:2615-2619`],
    );
    // l.2621-2625: reviewed 2026-08-25; "med højst 6 måneders mellemrum": next by 2027-02-25
    s = more(s, met('plan-review', '2026-08-25'));
    assert.equal(byId(s, 'plan-review#1').dueOn, '2027-02-25');
    // l.2627-2629: the child conversation due 2026-09-02 is overdue on 2026-09-03 ...
    assert.equal(displayStatus(byId(s, 'child-conversation'), at('2026-09-03')), 'overdue');
    // ... held 2026-09-10: met (late), the next 6 months after: 2027-03-10
    s = more(s, met('child-conversation', '2026-09-10'));
    assert.deepEqual(
      [byId(s, 'child-conversation').status, byId(s, 'child-conversation#1').dueOn],
      ['met', '2027-03-10'],
    );
  });

  test('at the return home a hjemgivelsesplan is due the same day (l.2631)', () => {
    let s = more(placed(), ev('child.placement-ended', { endedOn: '2027-01-15' }, '2027-01-15'));
    const plan = byId(s, 'homecoming-plan');
    assert.deepEqual([plan.dueOn, plan.status, lines(plan)], ['2027-01-15', 'pending', `${SEED}:2631`]);
    assert.equal(s.state, 'awaiting-first-follow-up', 'the plan does not force a decision of its own');
    s = more(s, met('homecoming-plan', '2027-01-15'), closed('2027-01-20'));
    assert.deepEqual([s.state, byId(s, 'homecoming-plan').status], ['closed', 'met']);
    assert.equal(byId(s, 'plan-review').status, 'cancelled');
  });
});

describe('opholdssted and døgninstitution: a meeting with the placement, and opholdssted only under 16', () => {
  test('opholdssted: refused for a young person already 16 at start (l.3155-3161)', () => {
    const s0 = newMeasure(hal('opholdssted'));
    // 16 on 2026-03-01, the day before the start 2026-03-02
    assert.match(
      check(s0, grant('opholdssted', { childBirthDate: '2010-03-01' }), at(GRANTED)) ?? '',
      /opholdssted can be granted only up to the age of 16y/,
    );
    assert.equal(check(s0, grant('opholdssted', { childBirthDate: '2011-03-02' }), at(GRANTED)), null);
    // NB "under 16 år": a start on the 16th birthday itself (born 2010-03-02) is accepted by the machine,
    // which refuses only starts after birth + max; reported, not asserted.
  });

  test('døgninstitution: the meeting after 3 months then yearly (l.3513-3515)', () => {
    let s = run('doegninstitution', [grant('doegninstitution')]);
    s = more(s, met('placement-meeting', '2026-06-01'));
    assert.equal(byId(s, 'placement-meeting#1').dueOn, '2027-06-01');
    s = more(s, met('plan-review', '2026-06-01'), met('child-conversation', '2026-06-01'));
    // Both 6-monthly (l.3517-3521, l.3523-3525): 2026-06-01 + 6 months
    assert.deepEqual(
      [byId(s, 'plan-review#1').dueOn, byId(s, 'child-conversation#1').dueOn],
      ['2026-12-01', '2026-12-01'],
    );
  });

  test('eget værelse: 16-17 is soft (l.2931-2935): a 13-year-old is not refused, and there is no visit', () => {
    const s = run('eget-vaerelse', [grant('eget-vaerelse')]);
    refused(s, met('visit', '2026-05-20'), /eget-vaerelse has no obligation visit/);
  });
});

// ---- age rules -------------------------------------------------------------------------------

describe('age limits from the birth date', () => {
  test('merudgifter: only under 18 at grant, and ending at 18 (l.365-369, l.385)', () => {
    const s0 = newMeasure(hal('merudgifter'));
    // 18 on 2026-03-01, before the start: refused
    assert.match(
      check(s0, grant('merudgifter', { childBirthDate: '2008-03-01' }), at(GRANTED)) ?? '',
      /only up to the age of 18y/,
    );
    // 18 on 2026-09-15: granted; the measure must be decided on (closed) at the 18th birthday
    let s = run('merudgifter', [grant('merudgifter', { childBirthDate: '2008-09-15' })]);
    const limit = byId(s, 'age-limit');
    assert.deepEqual([limit.dueOn, limit.strength, limit.forcesDecision], ['2026-09-15', 'hard', true]);
    // l.487-493: the calculation followed up with the family: parents required
    s = more(s, followUp('2026-05-20', ['executor']));
    assert.equal(byId(s, 'first-follow-up').status, 'pending');
    s = more(s, followUp('2026-05-21', ['parents']));
    assert.equal(byId(s, 'follow-up#1').dueOn, '2027-05-21'); // "herefter mindst 1 gang om året"
    assert.equal(tick(s, Date.parse('2026-09-14T12:00:00Z')).state, 'following-up');
    const due = tick(s, at('2026-09-15'));
    assert.equal(due.state, 'reassessment-due');
    const c = more(due, closed('2026-09-15', 'aged-out'));
    assert.deepEqual([byId(c, 'age-limit').status, byId(c, 'follow-up#1').status], ['met', 'cancelled']);
  });

  test('tabt arbejdsfortjeneste: 3 months, then yearly (l.751-753), ending at 18 (l.543-545)', () => {
    const s = run('tabt-arbejdsfortjeneste', [grant('tabt-arbejdsfortjeneste'), followUp('2026-06-02', [])]);
    assert.deepEqual([byId(s, 'first-follow-up').metOn, byId(s, 'follow-up#1').dueOn], ['2026-06-02', '2027-06-02']);
    assert.equal(byId(s, 'age-limit').dueOn, '2030-05-10');
  });

  test('ledsagelse: from 12 (l.1008), a written agreement first (l.1035-1042), every 6 months (l.1124-1127)', () => {
    const s0 = newMeasure(hal('ledsagelse'));
    // 12 on 2026-03-03, the day after the start: refused; 12 on the start day: accepted
    assert.match(
      check(s0, grant('ledsagelse', { childBirthDate: '2014-03-03' }), at(GRANTED)) ?? '',
      /only from the age of 12y/,
    );
    let s = run('ledsagelse', [
      grant('ledsagelse', { childBirthDate: '2014-03-02', prerequisites: ['skriftlig-aftale'] }),
    ]);
    assert.deepEqual(
      [byId(s, 'prerequisite-skriftlig-aftale').status, byId(s, 'age-limit').dueOn],
      ['met', '2032-03-02'],
    );
    s = more(s, followUp('2026-08-31', ['parents', 'executor']));
    assert.deepEqual(s.context.facts.followUps[0].missing, ['participant child']);
    s = more(s, followUp('2026-08-31', ['child', 'parents', 'executor']));
    // 2026-08-31 + 6 months = 2027-02-28 (clamped to the month's last day)
    assert.equal(byId(s, 'follow-up#1').dueOn, '2027-02-28');
  });
});

// ---- yearly-only follow-up, school-year grants, no timers --------------------------------------

describe('aflastning (§ 44): yearly only', () => {
  test('the first follow-up a year after start (l.959-960), with the family and the respite place', () => {
    let s = run('aflastning-handicap', [grant('aflastning-handicap'), followUp('2027-02-10', ['parents'])]);
    assert.equal(byId(s, 'first-follow-up').status, 'pending');
    s = more(s, followUp('2027-02-10', ['parents', 'executor']));
    assert.equal(byId(s, 'follow-up#1').dueOn, '2028-02-10');
  });
});

describe('efterskole: one school year at a time, at most 2 years, an assessment half-way', () => {
  test('the yearly grant, its extension up to 2 years, and the half-year assessment', () => {
    let s = run('oekonomisk-stoette-efterskole', [
      grant('oekonomisk-stoette-efterskole', {
        childBirthDate: undefined,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);
    // l.4148-4152: first after 3 months, then every half year; l.4132-4138: the next meeting agreed
    s = more(s, followUp('2026-06-01', ['parents', 'executor'], { nextMeetingOn: '2026-10-15' }));
    assert.deepEqual(
      [byId(s, 'follow-up#1').dueOn, byId(s, 'follow-up#1').alsoRequiredBy?.[0].dueOn],
      ['2026-10-15', '2026-12-01'],
    );
    // l.4071-4078: "Efter et halvt år indhentes udtalelser": 2026-09-02; met 2026-09-01, the next a year later
    s = more(s, met('extension-assessment', '2026-09-01'));
    assert.equal(byId(s, 'extension-assessment#1').dueOn, '2027-09-01');
    // l.4063-4069: one school year: 2027-03-02
    const due = tick(s, at('2027-03-02'));
    assert.equal(due.state, 'reassessment-due');
    // l.4069-4071: "Som udgangspunkt ... maksimalt ... 2 år": 2026-03-02 + 2 years = 2028-03-02, a soft
    // longest total (issue 9.9): beyond it is accepted with a warning; l.3979: with the leader
    const beyond = extended('2028-03-03', 'teamleder', '2027-03-02');
    assert.equal(check(due, beyond, beyond.at), null);
    assert.match(
      warnings(due.context.policy, beyond, more(due, beyond).context.facts)
        .map((w) => `${w.code}: ${w.detail} / ${w.message}`)
        .join(),
      /^extension-beyond-maximum: .*beyond the P2Y .*2028-03-02.*soft.* \/ forlængelsen til 03\.03\.2028 rækker ud over 02\.03\.2028/,
    );
    refused(due, extended('2028-03-02', 'visitationsudvalg', '2027-03-02'), /must be approved by teamleder/);
    const x = more(due, extended('2028-03-02', 'teamleder', '2027-03-02'));
    assert.deepEqual([x.state, byId(x, 'reassessment#1.1').dueOn], ['following-up', '2028-03-02']);
  });
});

describe('økonomisk støtte (§ 52 a): registered, no deadlines', () => {
  test('granted and closed with nothing to time (l.4167-4317)', () => {
    const s = run('oekonomisk-stoette', [grant('oekonomisk-stoette', { childBirthDate: undefined })]);
    assert.deepEqual([s.state, deadlines(s)], ['following-up', []]);
    assert.equal(more(s, closed('2026-04-01')).state, 'closed');
  });
});

// ---- linked ends -----------------------------------------------------------------------------

describe('støtteperson (§ 54): yearly scope review, ends at the return home or a move', () => {
  const granted = () =>
    run('stoetteperson', [
      grant('stoetteperson', {
        childBirthDate: undefined,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    ]);

  test('the scope is reviewed at least yearly (l.4452-4454)', () => {
    const s = more(granted(), met('scope-review', '2027-02-01'));
    assert.equal(byId(s, 'scope-review#1').dueOn, '2028-02-01');
  });

  test('the child returns home: a decision is forced at once, soft ("kan forlænges en periode", l.4343-4347)', () => {
    let s = more(granted(), ev('child.placement-ended', { endedOn: '2027-06-10' }, '2027-06-10'));
    const end = byId(s, 'end-after-placement-ended');
    assert.deepEqual([end.dueOn, end.strength, end.forcesDecision], ['2027-06-10', 'soft', true]);
    assert.equal(s.state, 'reassessment-due');
    // The seed allows a continuation for a period, but types.ts has no way to approve one: only closure settles it.
    refused(s, extended('2027-09-10', 'sagsbehandler', '2027-06-10'), /stoetteperson allows no extension/);
    s = more(s, closed('2027-08-01'));
    assert.deepEqual(
      [byId(s, 'end-after-placement-ended').status, byId(s, 'end-after-placement-ended').metOn],
      ['met', '2027-08-01'],
    );
  });

  test('the custody holder moves away: Halsnæs no longer grants (l.4458-4462)', () => {
    let s = more(granted(), ev('family.moved-away', { movedOn: '2026-10-01' }, '2026-10-01'));
    const end = byId(s, 'end-after-moved-away');
    assert.deepEqual([end.dueOn, end.strength], ['2026-10-01', 'hard']);
    assert.equal(s.state, 'reassessment-due');
    assert.equal(displayStatus(end, at('2026-10-02')), 'overdue');
    s = more(s, closed('2026-10-05', 'moved'));
    assert.deepEqual([s.state, byId(s, 'end-after-moved-away').metOn], ['closed', '2026-10-05']);
  });
});

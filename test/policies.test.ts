import { test, describe } from 'node:test';
import { underSection95 } from '../machines/statutory';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { getMunicipality, loadCatalogue, resolveMeasurePolicy } from '../policies/catalogue';
import { parseMunicipalityPolicy, PolicyValidationError } from '../policies/schema';
import type { MunicipalityPolicy, RuleSource } from '../policies/types';

const SEED_DIR = process.env.SEED_DIR ?? path.resolve(__dirname, '../docs/seeds');
const HJORRING_SEED = '000_caf6e465e6fbee8a.txt';

const HJORRING_SLUGS = [
  'praktisk-paedagogisk-stoette',
  'familiebehandling',
  'traumebehandling',
  'individuel-behandling',
  'kontaktperson-barn',
  'kontaktperson-familie',
  'sikkerhedsplan',
  'stoetteperson',
  'samvaer',
  'indsatsteamet',
];

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

function readSeedLines(document: string): string[] {
  return fs.readFileSync(path.join(SEED_DIR, document), 'utf8').split(/\r?\n/);
}

/** Why a seed quote does not hold, or undefined when it does: the quote must appear in the seed
 *  (whitespace-normalised) and within, or within 3 lines of, one of the cited line ranges. */
function checkSeedQuote(seedLines: string[], lines: string, quote: string | undefined): string | undefined {
  if (!quote) return 'no quote';
  const q = normalise(quote);
  if (!normalise(seedLines.join('\n')).includes(q)) return `quote not found in the seed: "${quote}"`;
  const ranges = lines.split(',').map((part) => {
    const [a, b] = part.trim().split('-').map(Number);
    return [a, b ?? a] as const;
  });
  for (const [a, b] of ranges) {
    if (!(a >= 1 && b >= a && b <= seedLines.length)) return `bad line range ${a}-${b}`;
  }
  const near = ranges.some(([a, b]) => {
    const from = Math.max(1, a - 3);
    const to = Math.min(seedLines.length, b + 3);
    return normalise(seedLines.slice(from - 1, to).join('\n')).includes(q);
  });
  return near ? undefined : `quote "${quote}" is not within 3 lines of l.${lines}`;
}

/** Every `source` in a policy, with the path it was found at. */
function collectSources(value: unknown, at = '', out: Array<{ path: string; source: RuleSource }> = []) {
  if (Array.isArray(value)) value.forEach((v, i) => collectSources(v, `${at}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = at ? `${at}.${k}` : k;
      if (k === 'source') out.push({ path: p, source: v as RuleSource });
      else collectSources(v, p, out);
    }
  }
  return out;
}

const clone = <T>(x: T): T => structuredClone(x) as T;

function hjorring(): MunicipalityPolicy {
  const p = getMunicipality('hjorring');
  assert.ok(p, 'hjorring is in the catalogue');
  return p;
}

function assertRejects(data: unknown, pathPattern: RegExp) {
  assert.throws(
    () => parseMunicipalityPolicy(data),
    (err: unknown) => {
      assert.ok(err instanceof PolicyValidationError, 'a PolicyValidationError');
      assert.match(err.message, pathPattern);
      return true;
    },
  );
}

describe('catalogue', () => {
  test('every policies/*.json parses and is keyed by its municipality slug', () => {
    const catalogue = loadCatalogue();
    assert.ok(catalogue.size >= 1);
    for (const [slug, policy] of catalogue) {
      assert.equal(slug, policy.municipality);
      assert.deepEqual(parseMunicipalityPolicy(clone(policy)), policy);
    }
    assert.equal(loadCatalogue(), catalogue, 'cached');
  });

  test('every measure type names its Barnets Lov paragraph(s); the superseded flag is gone from the catalogue', () => {
    for (const m of loadCatalogue().values())
      for (const t of m.measureTypes) {
        assert.ok(t.blParagraphs && t.blParagraphs.length > 0, `${m.municipality}/${t.slug} has blParagraphs`);
        assert.equal(t.statutoryFollowUp, undefined, `${m.municipality}/${t.slug}`);
      }
  });

  test('Hjørring has exactly the ten measure-type slugs of the event contract', () => {
    const p = hjorring();
    assert.equal(p.name, 'Hjørring Kommune');
    assert.equal(p.version, 1);
    assert.equal(p.document.file, HJORRING_SEED);
    assert.deepEqual(p.measureTypes.map((m) => m.slug).sort(), [...HJORRING_SLUGS].sort());
  });

  test('Hjørring rules read as the seed says', () => {
    const type = (slug: string) => hjorring().measureTypes.find((m) => m.slug === slug)!;
    for (const slug of HJORRING_SLUGS.slice(0, 6)) {
      const m = type(slug);
      assert.equal(underSection95(m), true, slug);
      assert.deepEqual(m.firstFollowUp && [m.firstFollowUp.after, m.firstFollowUp.from], ['P4W', 'start'], slug);
      assert.deepEqual(m.followUp && [m.followUp.after, m.followUp.from], ['P3M', 'previous-follow-up'], slug);
      assert.deepEqual(m.reassessment?.after, { min: 'P3M', max: 'P6M' }, slug);
      assert.equal(m.reassessment?.from, 'period-start', slug);
      assert.equal(m.reassessment?.strength, 'soft', slug);
      assert.deepEqual(m.followUpValidity?.requiredParticipants, ['executor', 'parents'], slug);
      assert.equal(m.followUpValidity?.requiresActionPlanDecision, true, slug);
      assert.ok(m.packages.find((p) => p.slug === 'groen')?.stepDown, `${slug} Grøn is step-down`);
      assert.ok(m.startupMeeting && m.treatmentPlan, slug);
    }
    assert.deepEqual(
      type('familiebehandling').packages.map((p) => p.slug),
      ['roed', 'gul', 'groen'],
    );
    const sp = type('sikkerhedsplan');
    assert.deepEqual([sp.firstFollowUp?.after, sp.followUp?.after], ['P2W', 'P6W']);
    const samvaer = type('samvaer');
    assert.deepEqual([samvaer.firstFollowUp?.after, samvaer.followUp?.after], ['P3M', 'P6M']);
    assert.equal(underSection95(samvaer), false);
    for (const slug of ['stoetteperson', 'indsatsteamet']) {
      const m = type(slug);
      assert.equal(m.firstFollowUp, null, slug);
      assert.equal(m.followUp, null, slug);
      assert.equal(underSection95(m), false, slug);
    }
    assert.deepEqual(
      { ...type('indsatsteamet').countLimit, source: undefined },
      { max: 8, unit: 'samtaler', within: 'P6M', strength: 'hard', source: undefined },
    );
    assert.deepEqual(
      hjorring().escalation.map((e) => [e.level, e.role, e.after]),
      [
        [1, 'sagsbehandler', 'P0D'],
        [2, 'teamleder', 'P7D'],
        [3, 'afdelingsleder', 'P14D'],
      ],
    );
  });

  test('resolveMeasurePolicy pins the type to the municipality version and escalation', () => {
    const mp = resolveMeasurePolicy('hjorring', 'familiebehandling');
    assert.ok(mp);
    assert.equal(mp.municipality, 'hjorring');
    assert.equal(mp.version, hjorring().version);
    assert.equal(mp.measureType.slug, 'familiebehandling');
    assert.deepEqual(mp.escalation, hjorring().escalation);
    assert.equal(resolveMeasurePolicy('hjorring', 'no-such-type'), undefined);
    assert.equal(resolveMeasurePolicy('no-such-municipality', 'familiebehandling'), undefined);
  });
});

describe('seed citations', () => {
  test('every seed source quotes the seed verbatim, at the cited lines', () => {
    let checked = 0;
    const failures: string[] = [];
    for (const policy of loadCatalogue().values()) {
      for (const { path: at, source } of collectSources(policy)) {
        if (source.kind !== 'seed') continue;
        const file = path.join(SEED_DIR, source.document);
        if (!fs.existsSync(file)) {
          failures.push(`${policy.municipality}: ${at}: seed ${source.document} not found in ${SEED_DIR}`);
          continue;
        }
        const problem = checkSeedQuote(readSeedLines(source.document), source.lines, source.quote);
        if (problem) failures.push(`${policy.municipality}: ${at} (l.${source.lines}): ${problem}`);
        checked++;
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked >= 100, `checked ${checked} seed sources`);
  });

  test('every Hjørring package and follow-up rule cites the seed', () => {
    for (const m of hjorring().measureTypes) {
      for (const p of m.packages) assert.equal(p.source.kind, 'seed', `${m.slug}/${p.slug}`);
      for (const rule of [
        m.firstFollowUp,
        m.followUp,
        m.followUpValidity,
        m.reassessment,
        m.countLimit,
        m.treatmentPlan,
      ]) {
        if (rule) assert.equal(rule.source.kind, 'seed', m.slug);
      }
      for (const n of m.notes) assert.equal(n.source.kind, 'seed', `${m.slug}: ${n.text}`);
    }
  });

  test('the quote check fails on a wrong quote or wrong lines', () => {
    const lines = readSeedLines(HJORRING_SEED);
    assert.equal(checkSeedQuote(lines, '94', 'Første opfølgning efter 4 uger'), undefined);
    assert.equal(
      checkSeedQuote(lines, '95-99', 'opfylder lovkravet, når der er talt med/holdt møde med\n   udfører'),
      undefined,
    );
    assert.match(checkSeedQuote(lines, '94', 'Første opfølgning efter 5 uger') ?? '', /not found/);
    assert.match(checkSeedQuote(lines, '500-510', 'Første opfølgning efter 4 uger') ?? '', /not within 3 lines/);
    assert.match(checkSeedQuote(lines, '94', undefined) ?? '', /no quote/);
  });
});

describe('schema', () => {
  test('rejects bad durations with the path', () => {
    for (const bad of ['P', '4 weeks', 'PT', 'P1DT', '']) {
      const p = clone(hjorring());
      p.measureTypes[0].firstFollowUp!.after = bad;
      assertRejects(p, /measureTypes\[0\]\.firstFollowUp\.after: must be an ISO-8601 duration/);
    }
    const p = clone(hjorring());
    p.measureTypes[0].reassessment!.after = { min: 'P3M', max: '6 months' };
    assertRejects(p, /measureTypes\[0\]\.reassessment\.after\.max/);
    const q = clone(hjorring());
    q.escalation[1].after = 'P';
    assertRejects(q, /escalation\[1\]\.after/);
  });

  test('accepts calendar and time durations', () => {
    for (const good of ['P4W', 'P3M', 'P1Y6M', 'P10D', 'P0D', 'PT5S', 'PT48H', 'P1Y2M3W4DT5H6M7S']) {
      const p = clone(hjorring());
      p.measureTypes[0].firstFollowUp!.after = good;
      assert.doesNotThrow(() => parseMunicipalityPolicy(p), good);
    }
  });

  test('rejects duplicate measure-type slugs and duplicate package slugs', () => {
    const p = clone(hjorring());
    p.measureTypes[3].slug = p.measureTypes[1].slug;
    assertRejects(p, /measureTypes\[3\]\.slug: duplicate measure-type slug "familiebehandling"/);
    const q = clone(hjorring());
    q.measureTypes[0].packages[2].slug = 'roed';
    assertRejects(q, /measureTypes\[0\]\.packages\[2\]\.slug: duplicate package slug "roed"/);
  });

  test('rejects escalation levels that are not 1..n ascending', () => {
    const p = clone(hjorring());
    [p.escalation[0], p.escalation[1]] = [p.escalation[1], p.escalation[0]];
    assertRejects(p, /escalation\[0\]\.level/);
    const q = clone(hjorring());
    q.escalation[2].level = 4;
    assertRejects(q, /escalation\[2\]\.level/);
  });

  test('rejects a missing source with its path', () => {
    const p = clone(hjorring()) as any;
    delete p.measureTypes[1].packages[0].source;
    assertRejects(p, /measureTypes\[1\]\.packages\[0\]\.source: required/);
    const q = clone(hjorring()) as any;
    delete q.measureTypes[0].firstFollowUp.source;
    delete q.measureTypes[0].notes[0].source;
    assertRejects(q, /measureTypes\[0\]\.firstFollowUp\.source[\s\S]*measureTypes\[0\]\.notes\[0\]\.source/);
  });

  test('rejects unknown keys and extension approvers without an extend outcome', () => {
    const p = clone(hjorring()) as any;
    p.measureTypes[0].followup = null;
    assertRejects(p, /measureTypes\[0\]: unknown key\(s\): followup/);
    const q = clone(hjorring());
    q.measureTypes[0].reassessment!.extensionApprovers = ['teamleder'];
    assertRejects(q, /measureTypes\[0\]\.reassessment\.outcomes/);
  });
});

test('the test municipality used by the end-to-end tests is itself a valid policy', async () => {
  const { parseMunicipalityPolicy } = await import('../policies/schema');
  const { testMunicipality } = await import('./fixtures/test-policy');
  assert.doesNotThrow(() => parseMunicipalityPolicy(testMunicipality()));
});

// The coverage report: every measure of every seed (as extracted in docs/seed-catalogue.json) and
// every entry of every field of it that states a rule or a fact about the measure (packages and
// their intensity, hours caps, timers, prerequisites, decision authority, escalation rules, target
// group ages and constraints, special triggers, counts, providers, other rules, what happens at the
// limit, age triggers, follow-up validity, legal basis), with what the policy data does with it:
// enforced (a hard rule the machine checks), warned (a soft one: accepted with a warning or
// escalated), or not machine-checkable (and why). Credit is explicit: a catalogue entry counts only
// where a rule's seed source lists the entry's id in `covers` (or an `unenforced` entry does, with
// why); overlapping seed lines earn nothing. Nothing may be silently dropped.
// Pure: scripts/coverage-report.ts reads the seed catalogue file and hands it here.
import { loadCatalogue } from './catalogue';
import type { MeasureTypePolicy, MunicipalityPolicy, RuleSource, Strength } from './types';

type Lines = Array<[number, number]>;

/** One entry of a catalogue field: a string, or an object with text and lines. */
type CatalogueEntry =
  | string
  | {
      kind?: string;
      item?: string;
      name?: string;
      intensity_da?: string;
      role?: string;
      does?: string;
      rule_da?: string;
      quote_da?: string;
      text_da?: string;
      lines?: Lines;
      lines_text?: string;
      strength?: string;
      min?: number;
      max?: number;
    };

export interface CatalogueRecord {
  id: string;
  municipality: string;
  source_file: string;
  section_lines?: { text: string; ranges: Lines };
  name_da: string;
  status: string;
  legal_basis_as_written?: string[];
  packages?: CatalogueEntry[];
  hours_caps?: CatalogueEntry[];
  timers: CatalogueEntry[];
  prerequisites: CatalogueEntry[];
  decision_authority?: CatalogueEntry[];
  escalation_rules?: CatalogueEntry[];
  target_group?: { age?: CatalogueEntry | null; constraints?: CatalogueEntry[] };
  special_triggers?: CatalogueEntry[];
  counts: CatalogueEntry[];
  providers?: CatalogueEntry[];
  other_rules?: CatalogueEntry[];
  at_limit?: CatalogueEntry[];
  age_triggers: CatalogueEntry[];
  follow_up?: { validity_conditions?: CatalogueEntry[] };
}

/** The fields counted, in the order the report lists them, with the label a row shows. Left out:
 *  identity (id, names, status, section lines), `duration` and `follow_up`'s other keys (summaries
 *  of `timers`, as their own `_note` says), `barnets_lov_equivalent` and `legal_basis_normalized`
 *  (readings of `legal_basis_as_written`, one row), and `ambiguities` (the extractor's doubts
 *  about its reading, not rules of the seed). */
const FIELDS: Array<[label: string, get: (r: CatalogueRecord) => CatalogueEntry[], path: string]> = [
  ['package', (r) => r.packages ?? [], 'packages'],
  ['hours cap', (r) => r.hours_caps ?? [], 'hours_caps'],
  ['timer', (r) => r.timers, 'timers'],
  ['prerequisite', (r) => r.prerequisites, 'prerequisites'],
  ['decision authority', (r) => r.decision_authority ?? [], 'decision_authority'],
  ['escalation rule', (r) => r.escalation_rules ?? [], 'escalation_rules'],
  ['target group', (r) => r.target_group?.constraints ?? [], 'target_group.constraints'],
  ['special trigger', (r) => r.special_triggers ?? [], 'special_triggers'],
  ['count', (r) => r.counts, 'counts'],
  ['provider', (r) => r.providers ?? [], 'providers'],
  ['other rule', (r) => r.other_rules ?? [], 'other_rules'],
  ['at the limit', (r) => r.at_limit ?? [], 'at_limit'],
  ['age', (r) => r.age_triggers, 'age_triggers'],
  ['follow-up validity', (r) => r.follow_up?.validity_conditions ?? [], 'follow_up.validity_conditions'],
];

/** One row of the report to account for: a catalogue entry with its stable id
 *  (`hjo-pps:timers[3]`, `hjo-kontaktperson-barn:target_group.age`), which `covers` cites. */
export interface CatalogueRow {
  id: string;
  label: string;
  entry: CatalogueEntry;
  text: string;
  lines: string;
}

function linesOf(e: CatalogueEntry): string {
  if (typeof e === 'string') {
    const m = [...e.matchAll(/l\.\s*(\d+(?:-\d+)?(?:,\s*\d+(?:-\d+)?)*)/g)].map((x) => x[1].replace(/\s/g, ''));
    return m.join(',');
  }
  return e.lines_text ?? (e.lines ?? []).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function textOf(e: CatalogueEntry): string {
  if (typeof e === 'string') return e;
  if (e.role) return `${e.role}: ${e.does ?? ''}`;
  if (e.name) return `${e.name}${e.intensity_da ? `: ${e.intensity_da}` : ''}`;
  if (e.min !== undefined && e.max !== undefined && !e.quote_da && !e.rule_da)
    return e.text_da ?? `${e.min}-${e.max} år`;
  return e.quote_da ?? e.rule_da ?? e.text_da ?? e.item ?? '';
}

/** Every catalogue entry of a record that the report accounts for, with its id. */
export function catalogueRows(rec: CatalogueRecord): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  for (const [label, get, path] of FIELDS) {
    get(rec).forEach((entry, i) => {
      const kind = typeof entry === 'object' && entry.kind ? ` ${entry.kind}` : '';
      rows.push({
        id: `${rec.id}:${path}[${i}]`,
        label: `${label}${kind}`,
        entry,
        text: textOf(entry),
        lines: linesOf(entry),
      });
    });
    if (path === 'target_group.constraints' && rec.target_group?.age) {
      const age = rec.target_group.age;
      rows.push({
        id: `${rec.id}:target_group.age`,
        label: 'target group age',
        entry: age,
        text: textOf(age),
        lines: linesOf(age),
      });
    }
  }
  return rows;
}

export type Status = 'enforced' | 'warned' | 'not machine-checkable' | 'MISSING';

export interface CoverageRow {
  municipality: string;
  recordId: string;
  measure: string;
  measureType: string | null;
  rule: string;
  lines: string;
  status: Status;
  encodedAs: string;
}

/** Every seed-cited rule of a measure type that can earn credit: the hard and soft rules, and the
 *  `unenforced` entries with their why. Notes, packages and decision authority are shown to people
 *  and earn none. */
export function encodings(
  t: MeasureTypePolicy,
): Array<{ at: string; source: RuleSource; strength?: Strength; why?: string }> {
  const out: Array<{ at: string; source: RuleSource; strength?: Strength; why?: string }> = [];
  const rule = (at: string, r: { source: RuleSource; strength: Strength } | null | undefined) =>
    r && out.push({ at, source: r.source, strength: r.strength });
  rule('startupMeeting', t.startupMeeting);
  rule('treatmentPlan', t.treatmentPlan);
  rule('firstFollowUp', t.firstFollowUp);
  rule('followUp', t.followUp);
  rule('reassessment', t.reassessment);
  rule('countLimit', t.countLimit);
  rule('grantAge', t.grantAge);
  if (t.followUpValidity) out.push({ at: 'followUpValidity', source: t.followUpValidity.source, strength: 'hard' });
  if (t.nextMeetingAgreed) out.push({ at: 'nextMeetingAgreed', source: t.nextMeetingAgreed.source, strength: 'hard' });
  (t.followUpPhases ?? []).forEach((p, i) => rule(`followUpPhases[${i}]`, p));
  (t.obligations ?? []).forEach((o) => rule(`obligation ${o.kind}`, o));
  (t.closeRestrictions ?? []).forEach((c, i) => rule(`closeRestrictions[${i}]`, c));
  (t.deliveryCaps ?? []).forEach((c, i) => rule(`deliveryCaps[${i}]`, c));
  // A package's appointments per week or month are a soft delivery cap (machines/delivery.ts).
  t.packages.forEach(
    (p) =>
      p.appointments &&
      out.push({
        at: `package ${p.slug} (at most ${p.appointments.max} per ${p.appointments.per})`,
        source: p.source,
        strength: 'soft',
      }),
  );
  (t.unenforced ?? []).forEach((u, i) => out.push({ at: `unenforced[${i}]`, source: u.source, why: u.why }));
  return out;
}

const covers = (s: RuleSource): string[] => s.covers ?? [];

const cell = (s: string) => s.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();

function ruleText(label: string, text: string): string {
  const short = text.length > 110 ? `${text.slice(0, 107)}…` : text;
  return cell(`${label}: ${short}`);
}

export function coverageOf(
  catalogue: CatalogueRecord[],
  policies: Map<string, MunicipalityPolicy> = loadCatalogue(),
): CoverageRow[] {
  const byDocument = new Map([...policies.values()].map((m) => [m.document.file, m]));
  const rows: CoverageRow[] = [];
  for (const rec of catalogue) {
    const m = byDocument.get(rec.source_file);
    const types = m ? m.measureTypes.filter((t) => (t.catalogueIds ?? []).includes(rec.id)) : [];
    const slug = types.map((t) => t.slug).join(', ') || null;
    const base = {
      municipality: m?.municipality ?? rec.municipality,
      recordId: rec.id,
      measure: rec.name_da,
      measureType: slug,
    };
    if (types.length === 0) {
      rows.push({
        ...base,
        rule: '(the measure itself)',
        lines: '',
        status: 'MISSING',
        encodedAs: 'no measure type lists this record in catalogueIds',
      });
      continue;
    }
    for (const t of types) {
      rows.push({
        ...base,
        rule: '(the measure itself)',
        lines: '',
        ...(t.discontinued
          ? {
              status: 'not machine-checkable' as const,
              encodedAs: `${t.slug}: discontinued ("Udgået"); kept in the catalogue, cannot be granted`,
            }
          : { status: 'enforced' as const, encodedAs: `${t.slug}: can be granted and is tracked` }),
      });
    }
    if (rec.legal_basis_as_written?.length) {
      const paragraphs = types.flatMap((t) => (t.blParagraphs ?? []).map((n) => `§ ${n}`));
      rows.push({
        ...base,
        rule: ruleText('legal basis', rec.legal_basis_as_written.join('; ')),
        lines: '',
        ...(paragraphs.length
          ? {
              status: 'enforced' as const,
              encodedAs: `${slug}: blParagraphs (BL ${[...new Set(paragraphs)].join(', ')}; the statutory duties follow)`,
            }
          : { status: 'MISSING' as const, encodedAs: 'no Barnets Lov paragraph in blParagraphs' }),
      });
    }
    for (const r of catalogueRows(rec)) {
      // The measure's own types first; a rule the seed states under one measure but that is kept
      // on another (the aftercare decision is taken on the measure a youth has before 18) is
      // credited to the type that cites it.
      const citing = (ts: MeasureTypePolicy[], on: string) =>
        ts.flatMap((t) =>
          encodings(t)
            .filter((e) => covers(e.source).includes(r.id))
            .map((e) => ({ ...e, type: `${t.slug}${on}` })),
        );
      const own = citing(types, '');
      const hits = own.length
        ? own
        : citing(
            (m?.measureTypes ?? []).filter((t) => !types.includes(t)),
            ' (another measure type)',
          );
      const rule = hits.find((h) => h.strength === 'hard') ?? hits.find((h) => h.strength === 'soft');
      const unenforced = hits.find((h) => h.why);
      let status: Status;
      let encodedAs: string;
      if (rule) {
        status = rule.strength === 'hard' ? 'enforced' : 'warned';
        encodedAs = `${rule.type}: ${rule.at}`;
      } else if (unenforced) {
        status = 'not machine-checkable';
        encodedAs = `${unenforced.type}: ${unenforced.why}`;
      } else {
        status = 'MISSING';
        encodedAs = `no rule of the policy cites ${r.id}`;
      }
      rows.push({ ...base, rule: ruleText(r.label, r.text), lines: r.lines, status, encodedAs: cell(encodedAs) });
    }
  }
  return rows;
}

/** Ids a policy cites in `covers` that are not entries of the catalogue: a typo credits nothing. */
export function danglingCovers(
  catalogue: CatalogueRecord[],
  policies: Map<string, MunicipalityPolicy> = loadCatalogue(),
): string[] {
  const known = new Set(catalogue.flatMap((rec) => catalogueRows(rec).map((r) => r.id)));
  const out: string[] = [];
  for (const m of policies.values())
    for (const t of m.measureTypes)
      for (const e of encodings(t))
        for (const id of covers(e.source)) if (!known.has(id)) out.push(`${m.municipality}/${t.slug} ${e.at}: ${id}`);
  return out;
}

export function coverageMarkdown(rows: CoverageRow[]): string {
  const count = (s: Status) => rows.filter((r) => r.status === s).length;
  const records = new Set(rows.map((r) => r.recordId));
  const out = [
    '# Coverage of the seed documents',
    '',
    'Generated by `npm run coverage` from `docs/seed-catalogue.json` and `policies/*.json`; do not edit by hand.',
    'Every entry of the catalogue that states a rule or a fact about a measure is a row (packages, hours caps, timers,',
    'prerequisites, decision authority, escalation rules, target group and its ages, special triggers, counts, providers,',
    'other rules, what happens at the limit, age triggers, follow-up validity, legal basis). A row is credited only where a',
    "rule's seed source names the row's id in `covers` (e.g. `hjo-pps:timers[3]`); overlapping lines earn nothing.",
    '**enforced**: a hard rule the machine checks (refuses or escalates); **warned**: a soft rule (accepted with a warning,',
    'or escalated); **not machine-checkable**: listed in `unenforced` with why no event could carry the fact;',
    '**MISSING**: nothing in the policy cites it (the test suite fails on any).',
    '',
    `${records.size} measures, ${rows.length} rows: ${count('enforced')} enforced, ${count('warned')} warned, ${count('not machine-checkable')} not machine-checkable, ${count('MISSING')} missing.`,
    '',
  ];
  const byRecord = new Map<string, CoverageRow[]>();
  for (const r of rows) byRecord.set(r.recordId, [...(byRecord.get(r.recordId) ?? []), r]);
  let municipality = '';
  for (const [id, rs] of byRecord) {
    const first = rs[0];
    if (first.municipality !== municipality) out.push(`## ${(municipality = first.municipality)}`, '');
    out.push(
      `### ${id} · ${first.measure} → \`${first.measureType ?? '—'}\``,
      '',
      '| rule | lines | status | encoded as |',
      '| --- | --- | --- | --- |',
    );
    for (const r of rs) out.push(`| ${r.rule} | ${r.lines} | ${r.status} | ${r.encodedAs} |`);
    out.push('');
  }
  return out.join('\n');
}

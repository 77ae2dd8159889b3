// The coverage report: every measure of every seed (as extracted in docs/seed-catalogue.json)
// and every rule of it, with what the policy data does with it: enforced (a hard rule the machine
// checks), warned (a soft one: the service escalates but accepts), or not machine-checkable (and
// why). A rule is matched to the policy by its seed lines: some source in the measure type that
// encodes the record must cite lines overlapping the rule's. Nothing may be silently dropped.
// Pure: scripts/coverage-report.ts reads the seed catalogue file and hands it here.
import { loadCatalogue } from './catalogue';
import type { MeasureTypePolicy, MunicipalityPolicy, RuleSource, Strength } from './types';

interface CatalogueRule {
  kind?: string;
  item?: string;
  rule_da?: string;
  quote_da?: string;
  lines?: Array<[number, number]>;
  lines_text?: string;
  strength?: string;
}

export interface CatalogueRecord {
  id: string;
  municipality: string;
  source_file: string;
  name_da: string;
  status: string;
  timers: CatalogueRule[];
  prerequisites: CatalogueRule[];
  age_triggers: CatalogueRule[];
  counts: CatalogueRule[];
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

/** Every seed-cited source in a measure type, with what it encodes and how strongly. */
function encodings(
  t: MeasureTypePolicy,
): Array<{ at: string; source: RuleSource; strength?: Strength; why?: string; informative?: boolean }> {
  const out: Array<{ at: string; source: RuleSource; strength?: Strength; why?: string; informative?: boolean }> = [];
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
  t.packages.forEach((p) => out.push({ at: `package ${p.slug}`, source: p.source, informative: true }));
  (t.decisionAuthority ?? []).forEach((d) =>
    out.push({ at: `decisionAuthority ${d.role}`, source: d.source, informative: true }),
  );
  t.notes.forEach((n, i) => out.push({ at: `notes[${i}]`, source: n.source, informative: true }));
  (t.unenforced ?? []).forEach((u, i) => out.push({ at: `unenforced[${i}]`, source: u.source, why: u.why }));
  return out;
}

function ranges(lines: string): Array<[number, number]> {
  return lines.split(',').map((part) => {
    const [a, b] = part.trim().split('-').map(Number);
    return [a, b ?? a];
  });
}

const overlaps = (a: Array<[number, number]>, b: Array<[number, number]>) =>
  a.some(([x1, x2]) => b.some(([y1, y2]) => x1 <= y2 && y1 <= x2));

function ruleText(r: CatalogueRule, kind: string): string {
  const text = r.quote_da ?? r.rule_da ?? r.item ?? '';
  const short = text.length > 110 ? `${text.slice(0, 107)}…` : text;
  return `${kind}${r.kind ? ` ${r.kind}` : ''}: ${short}`.replace(/\|/g, '/').replace(/\s+/g, ' ');
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
    const rules: Array<[string, CatalogueRule]> = [
      ...rec.timers.map((r) => ['timer', r] as [string, CatalogueRule]),
      ...rec.prerequisites.map((r) => ['prerequisite', r] as [string, CatalogueRule]),
      ...rec.age_triggers.map((r) => ['age', r] as [string, CatalogueRule]),
      ...rec.counts.map((r) => ['count', r] as [string, CatalogueRule]),
    ];
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
      if (t.discontinued)
        rows.push({
          ...base,
          rule: '(the measure itself)',
          lines: '',
          status: 'not machine-checkable',
          encodedAs: `${t.slug}: discontinued ("Udgået"); kept in the catalogue, cannot be granted`,
        });
      else
        rows.push({
          ...base,
          rule: '(the measure itself)',
          lines: '',
          status: 'enforced',
          encodedAs: `${t.slug}: can be granted and is tracked`,
        });
    }
    for (const [kind, r] of rules) {
      const lines = r.lines_text ?? (r.lines ?? []).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      const want = r.lines ?? (lines ? ranges(lines) : []);
      const citing = (ts: MeasureTypePolicy[], on: string) =>
        ts.flatMap((t) =>
          encodings(t)
            .filter(
              (e) =>
                e.source.kind === 'seed' &&
                e.source.document === rec.source_file &&
                overlaps(ranges(e.source.lines), want),
            )
            .map((e) => ({ ...e, type: `${t.slug}${on}` })),
        );
      const own = citing(types, '');
      // A rule the seed states under one measure but that is kept on another (the aftercare decision
      // is taken on the measure a youth has before 18): credited to the type that enforces it.
      const elsewhere = own.some((h) => h.strength)
        ? []
        : citing(
            (m?.measureTypes ?? []).filter((t) => !types.includes(t)),
            ' (another measure type)',
          );
      const hits = [...own, ...elsewhere.filter((h) => h.strength)];
      const rule = hits.find((h) => h.strength === 'hard') ?? hits.find((h) => h.strength === 'soft');
      const unenforced = hits.find((h) => h.why);
      const informative = hits.find((h) => h.informative);
      let status: Status;
      let encodedAs: string;
      if (rule) {
        status = rule.strength === 'hard' ? 'enforced' : 'warned';
        encodedAs = `${rule.type}: ${rule.at}`;
      } else if (unenforced) {
        status = 'not machine-checkable';
        encodedAs = `${unenforced.type}: ${unenforced.why}`;
      } else if (informative) {
        status = 'not machine-checkable';
        encodedAs = `${informative.type}: shown as ${informative.at}`;
      } else {
        status = 'MISSING';
        encodedAs = 'no source in the policy cites these lines';
      }
      rows.push({
        ...base,
        rule: ruleText(r, kind),
        lines,
        status,
        encodedAs: encodedAs.replace(/\|/g, '/').replace(/\s+/g, ' '),
      });
    }
  }
  return rows;
}

export function coverageMarkdown(rows: CoverageRow[]): string {
  const count = (s: Status) => rows.filter((r) => r.status === s).length;
  const records = new Set(rows.map((r) => r.recordId));
  const out = [
    '# Coverage of the seed documents',
    '',
    'Generated by `npm run coverage` from `docs/seed-catalogue.json` and `policies/*.json`; do not edit by hand.',
    'A rule is matched to the policy data by its seed lines. **enforced**: a hard rule the machine checks (refuses or escalates);',
    '**warned**: a soft rule (escalated, exceptions accepted); **not machine-checkable**: shown or listed with why;',
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

// Administrators' edits to a municipality's policy, as pure functions over the document: set one
// timer, check the result against the schema and the statutory floor, and say what changed.
// Measure types are handled generically: a timer is any TimerRule-shaped key of the type
// (startupMeeting, firstFollowUp, ... and keys added later) or an obligation of that kind.
import { addToDate, addToInstant, hasTimePart, upperBound } from '../machines/dates';
import { STATUTORY_FIRST_FOLLOW_UP, underSection95 } from '../machines/statutory';
import { sourceInWords } from '../policies/describe';
import { parseMunicipalityPolicy, PolicyValidationError, type PolicyIssue } from '../policies/schema';
import type { DurationRange, EscalationStep, IsoDuration, MunicipalityPolicy, RuleSource } from '../policies/types';

export class EditRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; message: string; [k: string]: unknown },
  ) {
    super(body.message);
  }
}

export interface TimerEdit {
  measureType?: string;
  timer: string;
  duration: IsoDuration | DurationRange;
  author: string;
  reason: string;
  effectiveFrom: string;
}

type Rec = Record<string, unknown>;
const isTimerRule = (v: unknown): v is Rec & { after: unknown; from: unknown; source: RuleSource } =>
  typeof v === 'object' && v !== null && 'after' in v && 'from' in v;
const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (camelCase: string) => camelCase.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const fmtDuration = (d: unknown) =>
  typeof d === 'string'
    ? d
    : d && typeof d === 'object'
      ? `${(d as DurationRange).min}–${(d as DurationRange).max}`
      : String(d);

/** The timers an administrator can set on a measure type, by name. */
export function timerNames(t: Rec): string[] {
  const out = Object.entries(t)
    .filter(([, v]) => isTimerRule(v))
    .map(([k]) => kebab(k));
  const obligations = Array.isArray(t.obligations) ? (t.obligations as Rec[]) : [];
  for (const o of obligations) if (typeof o.kind === 'string' && 'after' in o) out.push(o.kind);
  return out;
}

/** Applies one timer change and returns the new document (unvalidated) and what changed. */
export function setTimer(
  doc: MunicipalityPolicy,
  e: TimerEdit,
): { document: MunicipalityPolicy; path: string; from: unknown; to: unknown; summary: string } {
  const note = (old: RuleSource) =>
    `set by ${e.author}, effective ${e.effectiveFrom}: ${e.reason} (was ${sourceInWords(old)})`;
  const esc = /^escalation-(.+)$/.exec(e.timer);
  if (esc) {
    const role = esc[1];
    const i = doc.escalation.findIndex((s) => s.role === role);
    if (i < 0)
      throw new EditRefused(422, {
        error: 'unknown-timer',
        message: `${doc.municipality}'s escalation ladder has no ${role} step; it has ${doc.escalation.map((s) => `escalation-${s.role}`).join(', ')}`,
      });
    if (typeof e.duration !== 'string')
      throw new EditRefused(422, {
        error: 'invalid-duration',
        message: 'an escalation step takes one duration, not a range',
      });
    const old = doc.escalation[i];
    const step: EscalationStep = {
      ...old,
      after: e.duration,
      source: { kind: 'policy-setting', note: note(old.source) },
    };
    const escalation = doc.escalation.map((s, j) => (j === i ? step : s));
    return {
      document: { ...doc, escalation },
      path: `escalation[${role}].after`,
      from: old.after,
      to: e.duration,
      summary: `escalation ${role}: ${fmtDuration(old.after)} → ${fmtDuration(e.duration)}`,
    };
  }
  if (!e.measureType)
    throw new EditRefused(422, {
      error: 'measure-type-required',
      message: `timer ${e.timer} belongs to a measure type: name it in measureType`,
    });
  const ti = doc.measureTypes.findIndex((t) => t.slug === e.measureType);
  if (ti < 0)
    throw new EditRefused(404, {
      error: 'unknown-measure-type',
      message: `${doc.municipality} has no measure type ${e.measureType}`,
    });
  const t = doc.measureTypes[ti] as unknown as Rec;
  const key = camel(e.timer);
  let next: Rec;
  let from: unknown;
  let path: string;
  if (isTimerRule(t[key])) {
    const old = t[key] as Rec & { source: RuleSource };
    from = old.after;
    next = { ...t, [key]: { ...old, after: e.duration, source: { kind: 'policy-setting', note: note(old.source) } } };
    path = `measureTypes[${e.measureType}].${key}.after`;
  } else {
    const obligations = Array.isArray(t.obligations) ? (t.obligations as Array<Rec & { source: RuleSource }>) : [];
    const oi = obligations.findIndex((o) => o.kind === e.timer);
    if (oi < 0) {
      const has = timerNames(t);
      const why =
        key in t && t[key] === null
          ? `${e.measureType} has no ${e.timer} rule (adding one needs an anchor: edit the whole policy with POST /versions)`
          : `${e.measureType} has no timer ${e.timer}`;
      throw new EditRefused(422, {
        error: 'unknown-timer',
        message: `${why}; its timers are ${has.join(', ') || 'none'}`,
      });
    }
    from = obligations[oi].after;
    next = {
      ...t,
      obligations: obligations.map((o, j) =>
        j === oi ? { ...o, after: e.duration, source: { kind: 'policy-setting', note: note(o.source) } } : o,
      ),
    };
    path = `measureTypes[${e.measureType}].obligations[${e.timer}].after`;
  }
  if (stableJson(from) === stableJson(e.duration))
    throw new EditRefused(422, {
      error: 'no-change',
      message: `${e.measureType} ${e.timer} is already ${fmtDuration(from)}`,
    });
  const measureTypes = doc.measureTypes.map((x, j) => (j === ti ? (next as unknown as typeof x) : x));
  return {
    document: { ...doc, measureTypes },
    path,
    from,
    to: e.duration,
    summary: `${e.measureType} ${e.timer}: ${fmtDuration(from)} → ${fmtDuration(e.duration)}`,
  };
}

/** Schema first (422 with every offending path), then the law (422 with the paragraph). A change
 *  may not introduce a schema violation; one the previous version already had (a hand-written
 *  test policy, a catalogue file from before a schema rule) does not block an unrelated edit. */
export function validatePolicy(doc: unknown, previous?: unknown): MunicipalityPolicy {
  const issuesOf = (d: unknown): PolicyIssue[] => {
    try {
      parseMunicipalityPolicy(d);
      return [];
    } catch (err) {
      if (err instanceof PolicyValidationError) return err.issues;
      throw err;
    }
  };
  const known = new Set(previous === undefined ? [] : issuesOf(previous).map((i) => `${i.path}\u0000${i.message}`));
  const fresh = issuesOf(doc).filter((i) => !known.has(`${i.path}\u0000${i.message}`));
  if (fresh.length)
    throw new EditRefused(422, {
      error: 'invalid-policy',
      message: 'the policy does not match the schema',
      issues: fresh,
    });
  const parsed = doc as MunicipalityPolicy;
  const v = statutoryViolations(parsed);
  if (v.length)
    throw new EditRefused(422, {
      error: 'statutory-floor',
      message: v.map((x) => x.message).join('; '),
      paragraph: v[0].paragraph,
      limit: v[0].limit,
      violations: v,
    });
  return parsed;
}

// Reference dates for comparing calendar durations: every month's first and last day, and a leap day.
const REF_DATES = Array.from({ length: 12 }, (_, m) => `2027-${String(m + 1).padStart(2, '0')}-01`)
  .flatMap((d) => [d, addToDate(addToDate(d, 'P1M'), '-P1D')])
  .concat(['2028-02-29']);

/** True when `d` can end later than `limit` from some start date (months vary in length). */
export function exceeds(d: IsoDuration, limit: IsoDuration): boolean {
  if (hasTimePart(d) || hasTimePart(limit)) {
    return REF_DATES.some((ref) => {
      const at = Date.parse(`${ref}T12:00:00Z`);
      return addToInstant(at, d) > addToInstant(at, limit);
    });
  }
  return REF_DATES.some((ref) => addToDate(ref, d) > addToDate(ref, limit));
}

/** Barnets Lov § 95: a measure type under the statutory follow-up may not set its first
 *  follow-up looser than 3 months. */
export function statutoryViolations(
  doc: MunicipalityPolicy,
): Array<{ measureType: string; message: string; paragraph: string; limit: string }> {
  const floor = STATUTORY_FIRST_FOLLOW_UP;
  const paragraph = floor.source.kind === 'statute' ? floor.source.paragraph : 'statute';
  const limit = upperBound(floor.after);
  const out: Array<{ measureType: string; message: string; paragraph: string; limit: string }> = [];
  for (const t of doc.measureTypes) {
    if (!underSection95(t) || !t.firstFollowUp) continue;
    const d = upperBound(t.firstFollowUp.after);
    if (exceeds(d, limit))
      out.push({
        measureType: t.slug,
        paragraph,
        limit,
        message: `${t.slug}: a first follow-up after ${d} is looser than ${paragraph} allows (at most ${limit} after the start)`,
      });
  }
  return out;
}

/** Deterministic JSON: PostgreSQL's jsonb reorders keys, so compare documents this way. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Rec)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Rec)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/** The measure types whose rules differ between two versions: all of them when the ladder changed. */
export function changedTypes(prev: MunicipalityPolicy, next: MunicipalityPolicy): string[] {
  if (stableJson(prev.escalation) !== stableJson(next.escalation)) return next.measureTypes.map((t) => t.slug);
  const old = new Map(prev.measureTypes.map((t) => [t.slug, stableJson(t)]));
  return next.measureTypes.filter((t) => old.get(t.slug) !== stableJson(t)).map((t) => t.slug);
}

/** What changed between two documents, by readable path; arrays of named things by their name. */
export function diffPolicies(a: unknown, b: unknown, path = ''): Array<{ path: string; from: unknown; to: unknown }> {
  if (stableJson(a) === stableJson(b)) return [];
  const keyOf = (x: unknown): string | undefined => {
    if (!x || typeof x !== 'object') return undefined;
    const r = x as Rec;
    return (
      ['slug', 'kind', 'role', 'level'].map((k) => r[k]).find((v) => typeof v === 'string' || typeof v === 'number') as
        string | undefined
    )?.toString();
  };
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every((x) => keyOf(x) !== undefined)) {
    const am = new Map(a.map((x) => [keyOf(x)!, x]));
    const bm = new Map(b.map((x) => [keyOf(x)!, x]));
    const out: Array<{ path: string; from: unknown; to: unknown }> = [];
    for (const k of new Set([...am.keys(), ...bm.keys()]))
      out.push(...diffPolicies(am.get(k), bm.get(k), `${path}[${k}]`));
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Array<{ path: string; from: unknown; to: unknown }> = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (path === '' && k === 'version') continue;
      out.push(...diffPolicies((a as Rec)[k], (b as Rec)[k], path ? `${path}.${k}` : k));
    }
    return out;
  }
  return [{ path: path || '(root)', from: a ?? null, to: b ?? null }];
}

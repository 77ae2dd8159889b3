// A policy's rules in plain words, with their sources: what the catalogue endpoint shows.
import type { DurationRange, IsoDuration, MeasureTypePolicy, RuleSource, TimerRule } from './types';
import { statutoryFirstFollowUp } from '../machines/statutory';

const UNITS: Record<string, [string, string]> = {
  Y: ['year', 'years'],
  M: ['month', 'months'],
  W: ['week', 'weeks'],
  D: ['day', 'days'],
  H: ['hour', 'hours'],
  S: ['second', 'seconds'],
};

export function durationInWords(d: IsoDuration): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d);
  if (!m) return d;
  const parts: string[] = [];
  const push = (n: string | undefined, u: [string, string]) => n && parts.push(`${n} ${n === '1' ? u[0] : u[1]}`);
  push(m[1], UNITS.Y);
  push(m[2], UNITS.M);
  push(m[3], UNITS.W);
  push(m[4], UNITS.D);
  push(m[5], UNITS.H);
  push(m[6], ['minute', 'minutes']);
  push(m[7], UNITS.S);
  return parts.length ? parts.join(' ') : '0 days';
}

function afterInWords(a: IsoDuration | DurationRange): string {
  return typeof a === 'string'
    ? durationInWords(a)
    : `${durationInWords(a.min)} (expected) to ${durationInWords(a.max)} (deadline)`;
}

const FROM: Record<string, string> = {
  start: 'the start of the measure',
  granted: 'the grant decision',
  'startup-meeting': 'the startup meeting',
  'previous-follow-up': 'the previous follow-up held',
  'period-start': 'the start of the current package period',
};

export function sourceInWords(s: RuleSource): string {
  if (s.kind === 'seed') return `${s.document} l.${s.lines}`;
  if (s.kind === 'statute') return s.paragraph;
  return `policy setting: ${s.note}`;
}

export function ruleInWords(label: string, r: TimerRule): string {
  return `${label} ${afterInWords(r.after)} after ${FROM[r.from] ?? r.from} (${r.strength})`;
}

export function timersOf(t: MeasureTypePolicy) {
  const out: Array<{ timer: string; rule: string; source: RuleSource; sourceText: string }> = [];
  const add = (timer: string, label: string, r: TimerRule | null) => {
    if (r) out.push({ timer, rule: ruleInWords(label, r), source: r.source, sourceText: sourceInWords(r.source) });
  };
  add('startup-meeting', 'Startup meeting', t.startupMeeting);
  add('treatment-plan', 'Treatment plan from the executor', t.treatmentPlan);
  add('first-follow-up', 'First follow-up', t.firstFollowUp);
  add('follow-up', 'Then a follow-up every', t.followUp);
  add('reassessment', 'Package reassessed', t.reassessment);
  if (t.countLimit) {
    const c = t.countLimit;
    out.push({
      timer: 'course-end',
      rule: `${c.min !== undefined ? `${c.min}-` : 'At most '}${c.max} ${c.unit}${c.within ? ` within ${durationInWords(c.within)}` : ''} (${c.strength})`,
      source: c.source,
      sourceText: sourceInWords(c.source),
    });
  }
  for (const ph of t.followUpPhases ?? [])
    out.push({
      timer: 'follow-up',
      rule: `From ${durationInWords(ph.fromAfterStart)} after the start, a follow-up every ${afterInWords(ph.every)} (${ph.strength})`,
      source: ph.source,
      sourceText: sourceInWords(ph.source),
    });
  if (t.nextMeetingAgreed)
    out.push({
      timer: 'follow-up',
      rule: 'The next meeting is agreed at each follow-up; an earlier agreed date is the deadline',
      source: t.nextMeetingAgreed.source,
      sourceText: sourceInWords(t.nextMeetingAgreed.source),
    });
  for (const o of t.obligations ?? []) {
    const from = o.from === 'birth' ? 'birth' : (FROM[o.from] ?? o.from);
    const every = o.every ? `, then every ${afterInWords(o.every)}` : '';
    const when = o.after === 'P0D' ? `by ${from}` : `${afterInWords(o.after)} after ${from}`;
    out.push({
      timer: o.kind,
      rule: `${o.name}: ${when}${every} (${o.strength}${o.forcesDecision ? ', forces a decision' : ''})`,
      source: o.source,
      sourceText: sourceInWords(o.source),
    });
  }
  const floor = statutoryFirstFollowUp(t);
  if (floor && floor.source.kind === 'statute')
    out.push({
      timer: 'first-follow-up',
      rule: 'Statutory floor: first follow-up within 3 months of the start (the stricter rule governs)',
      source: floor.source,
      sourceText: floor.source.paragraph,
    });
  return out;
}

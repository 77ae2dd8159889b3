// Every deadline of a measure, derived from its facts and its policy. Pure: the same facts and
// policy always give the same deadlines, which is what lets the workflow replay, the API preview,
// and an administrator's timer change re-apply to running measures.
import {
  addToDate,
  addToInstant,
  compareDates,
  dateOf,
  hasTimePart,
  type IsoDate,
  lowerBound,
  minDate,
  overdueInstant,
  startOfDay,
  upperBound,
} from './dates';
import { packageOn } from './delivery';
import { countingFollowUps, datedFacts, type Facts } from './facts';
import type {
  Anchor,
  ApproverRole,
  DurationRange,
  IsoDuration,
  MeasurePolicy,
  MilestoneAnchor,
  ObligationAnchor,
  ObligationRule,
  RuleSource,
  Strength,
  TimerRule,
} from '../policies/types';
import { statutoryFirstFollowUp } from './statutory';

export type DeadlineStatus = 'pending' | 'met' | 'cancelled';

export interface Deadline {
  /** Stable within a measure: `first-follow-up`, `follow-up#2`, `reassessment#1`, ... */
  id: string;
  kind: string;
  /** What a caseworker reads: "Første opfølgning", "Børnesamtale" (the obligation's name in the policy). */
  name?: string;
  /** The lower bound of a range: when the item becomes expected (a reminder). */
  expectedFrom?: IsoDate;
  dueOn: IsoDate;
  /** When the deadline falls due (the limit is reached). */
  dueAt: number;
  /** From this instant it is overdue: the start of the day after dueOn, Danish time. */
  overdueAt: number;
  status: DeadlineStatus;
  metOn?: IsoDate;
  /** The instant the event that met it was stamped: tells a sub-day deadline met late. */
  metAt?: number;
  /** The event that met or cancelled it. */
  settledBy?: string;
  basis: 'municipal' | 'statutory';
  strength: Strength;
  source: RuleSource;
  /** Reaching it puts the measure into forced reassessment (a limit, a linked end). */
  forcesDecision?: boolean;
  /** The other rules that require the same thing later (the stricter one governs). */
  alsoRequiredBy?: Array<{ basis: 'municipal' | 'statutory'; dueOn: IsoDate; source: RuleSource }>;
  /** A limit moved by an extension: who approved it (the rule, its strength and source stay). */
  approvedBy?: ApproverRole;
}

interface AnchorPoint {
  date: IsoDate;
  at: number;
}

interface Timing {
  expectedFrom?: IsoDate;
  dueOn: IsoDate;
  dueAt: number;
  overdueAt: number;
}

function timing(rule: TimerRule, anchor: AnchorPoint): Timing {
  const upper = upperBound(rule.after);
  const lower = lowerBound(rule.after);
  if (hasTimePart(upper)) {
    // Sub-day rules (test policies) count from the instant the anchor event was stamped.
    const dueAt = addToInstant(anchor.at, upper);
    return {
      expectedFrom: lower ? dateOf(addToInstant(anchor.at, lower)) : undefined,
      dueOn: dateOf(dueAt),
      dueAt,
      overdueAt: dueAt,
    };
  }
  const dueOn = addToDate(anchor.date, upper);
  return {
    expectedFrom: lower ? addToDate(anchor.date, lower) : undefined,
    dueOn,
    dueAt: startOfDay(dueOn),
    overdueAt: overdueInstant(dueOn),
  };
}

function dateTiming(dueOn: IsoDate): Timing {
  return { dueOn, dueAt: startOfDay(dueOn), overdueAt: overdueInstant(dueOn) };
}

function anchorPoint(from: Anchor, f: Facts, previous?: AnchorPoint): AnchorPoint | undefined {
  const g = f.grant;
  if (!g) return undefined;
  switch (from) {
    case 'start':
      return { date: g.startOn, at: g.at };
    case 'granted':
      return { date: g.grantedOn, at: g.at };
    case 'startup-meeting':
      return f.startupMeeting ? { date: f.startupMeeting.heldOn, at: f.startupMeeting.at } : undefined;
    case 'previous-follow-up':
      return previous ?? { date: g.startOn, at: g.at };
    case 'period-start': {
      const p = f.periods[f.periods.length - 1];
      return p ? { date: p.startOn, at: p.at } : { date: g.startOn, at: g.at };
    }
  }
}

function settle(d: Deadline, on: IsoDate | undefined, by: string | undefined, at?: number): Deadline {
  return on === undefined ? d : { ...d, status: 'met', metOn: on, metAt: at, settledBy: by };
}

// Facts and policies are immutable values (every event makes new facts), so a derivation can be
// reused for the same pair: one transition asks for the deadlines several times (guards, refusals,
// the view). Frozen, so that no caller can change what another reads.
const derived = new WeakMap<Facts, WeakMap<MeasurePolicy, readonly Deadline[]>>();

export function deriveDeadlines(policy: MeasurePolicy, f: Facts): Deadline[] {
  const key = datedFacts(f);
  let byPolicy = derived.get(key);
  if (!byPolicy) derived.set(key, (byPolicy = new WeakMap()));
  let ds = byPolicy.get(policy);
  if (!ds) byPolicy.set(policy, (ds = Object.freeze(derive(policy, f))));
  return ds as Deadline[];
}

function derive(policy: MeasurePolicy, f: Facts): Deadline[] {
  const t = policy.measureType;
  const g = f.grant;
  if (!g) return [];
  const out: Deadline[] = [];

  const startup = t.startupMeeting ? anchorPoint(t.startupMeeting.from, f) : undefined;
  if (t.startupMeeting && startup) {
    out.push(
      settle(
        {
          id: 'startup-meeting',
          kind: 'startup-meeting',
          ...timing(t.startupMeeting, startup),
          status: 'pending',
          basis: 'municipal',
          strength: t.startupMeeting.strength,
          source: t.startupMeeting.source,
        },
        f.startupMeeting?.heldOn,
        f.startupMeeting?.eventId,
        f.startupMeeting?.at,
      ),
    );
  }

  const planAnchor = t.treatmentPlan ? anchorPoint(t.treatmentPlan.from, f) : undefined;
  if (t.treatmentPlan && planAnchor) {
    let tm = timing(t.treatmentPlan, planAnchor);
    // The plan is due before the startup meeting: a meeting held early pulls the plan's date forward.
    if (f.startupMeeting && compareDates(f.startupMeeting.heldOn, tm.dueOn) < 0)
      tm = dateTiming(f.startupMeeting.heldOn);
    out.push(
      settle(
        {
          id: 'treatment-plan',
          kind: 'treatment-plan',
          ...tm,
          status: 'pending',
          basis: 'municipal',
          strength: t.treatmentPlan.strength,
          source: t.treatmentPlan.source,
        },
        f.treatmentPlan?.receivedOn,
        f.treatmentPlan?.eventId,
        f.treatmentPlan?.at,
      ),
    );
  }

  out.push(...followUpChain(policy, f));
  out.push(...reassessments(policy, f));
  out.push(...courseEnd(policy, f));
  out.push(...obligations(policy, f));

  const named = out.map((d) => ({ ...d, name: deadlineName(policy, d) }));
  if (f.closed) {
    const c = f.closed;
    return named.map((d) =>
      d.status === 'pending' ? { ...d, status: 'cancelled', metOn: undefined, settledBy: c.eventId } : d,
    );
  }
  return named;
}

/** The Danish names of the deadline kinds every measure type may have; an obligation is named by
 *  its policy. */
export const DEADLINE_NAMES: Readonly<Record<string, string>> = {
  'startup-meeting': 'Opstartsmøde',
  'treatment-plan': 'Behandlingsplan',
  'first-follow-up': 'Første opfølgning',
  'follow-up': 'Opfølgning',
  reassessment: 'Revurdering',
  'course-end': 'Forløbets afslutning',
};

function deadlineName(policy: MeasurePolicy, d: Deadline): string {
  const o = (policy.measureType.obligations ?? []).find((x) => x.kind === d.kind);
  if (o) return o.name;
  const base = DEADLINE_NAMES[d.kind] ?? d.kind;
  return d.basis === 'statutory' && d.source.kind === 'statute' ? `${base} (${d.source.paragraph})` : base;
}

/** First follow-up, then the recurring rhythm, each counted from the follow-up actually held. */
function followUpChain(policy: MeasurePolicy, f: Facts): Deadline[] {
  const t = policy.measureType;
  const g = f.grant!;
  const statutory = statutoryFirstFollowUp(t);
  if (!t.firstFollowUp && !statutory) return [];

  const held = countingFollowUps(f);
  const out: Deadline[] = [];

  // First follow-up: the stricter of the municipal rule and the statutory floor governs.
  const candidates: Array<{ basis: 'municipal' | 'statutory'; rule: TimerRule; tm: Timing }> = [];
  if (t.firstFollowUp) {
    const a = anchorPoint(t.firstFollowUp.from, f);
    if (a) candidates.push({ basis: 'municipal', rule: t.firstFollowUp, tm: timing(t.firstFollowUp, a) });
  }
  if (statutory)
    candidates.push({ basis: 'statutory', rule: statutory, tm: timing(statutory, { date: g.startOn, at: g.at }) });
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => a.tm.dueAt - b.tm.dueAt || (a.basis === 'municipal' ? -1 : 1));
  const [gov, ...others] = candidates;
  const first: Deadline = {
    id: 'first-follow-up',
    kind: 'first-follow-up',
    ...gov.tm,
    status: 'pending',
    basis: gov.basis,
    strength: gov.rule.strength,
    source: gov.rule.source,
    alsoRequiredBy: others.length
      ? others.map((o) => ({ basis: o.basis, dueOn: o.tm.dueOn, source: o.rule.source }))
      : undefined,
  };
  out.push(settle(first, held[0]?.heldOn, held[0]?.eventId, held[0]?.at));
  // A soft municipal rule that is earlier ("gerne 1 gang månedligt") warns; it never swallows the
  // hard floor behind it, which stays a deadline of its own and escalates when it is missed.
  const floor = gov.rule.strength === 'soft' ? others.find((o) => o.rule.strength === 'hard') : undefined;
  if (floor) {
    const also = candidates.filter((c) => c !== floor);
    out.push(
      settle(
        {
          id: `first-follow-up-${floor.basis}`,
          kind: 'first-follow-up',
          ...floor.tm,
          status: 'pending',
          basis: floor.basis,
          strength: 'hard',
          source: floor.rule.source,
          alsoRequiredBy: also.map((o) => ({ basis: o.basis, dueOn: o.tm.dueOn, source: o.rule.source })),
        },
        held[0]?.heldOn,
        held[0]?.eventId,
        held[0]?.at,
      ),
    );
  }
  if (!held[0] || !t.followUp) return out;

  const start = g.startOn;
  for (let i = 1; ; i++) {
    const prev = held[i - 1];
    const phase = [...(t.followUpPhases ?? [])]
      .reverse()
      .find((p) => compareDates(prev.heldOn, addToDate(start, p.fromAfterStart)) >= 0);
    const rule: TimerRule = phase
      ? { after: phase.every, from: 'previous-follow-up', strength: phase.strength, source: phase.source }
      : t.followUp;
    let d: Deadline = {
      id: `follow-up#${i}`,
      kind: 'follow-up',
      ...timing(rule, { date: prev.heldOn, at: prev.at }),
      status: 'pending',
      basis: 'municipal',
      strength: rule.strength,
      source: rule.source,
    };
    // Halsnæs: the next meeting is agreed at each follow-up; an earlier agreed date governs.
    if (t.nextMeetingAgreed && prev.nextMeetingOn && compareDates(prev.nextMeetingOn, d.dueOn) < 0) {
      d = {
        ...d,
        ...dateTiming(prev.nextMeetingOn),
        expectedFrom: undefined,
        source: t.nextMeetingAgreed.source,
        alsoRequiredBy: [{ basis: 'municipal', dueOn: d.dueOn, source: rule.source }],
      };
    }
    out.push(settle(d, held[i]?.heldOn, held[i]?.eventId, held[i]?.at));
    if (!held[i]) return out;
  }
}

/** The day a package change was decided: its own date, or (recorded before decisions carried one)
 *  the day the new package started. */
const decidedOn = (p: { decidedOn?: IsoDate; startOn: IsoDate }): IsoDate => p.decidedOn ?? p.startOn;

/** One reassessment per package period; an extension moves the limit to its `until`, keeping the
 *  rule's strength and source and recording who approved it. */
function reassessments(policy: MeasurePolicy, f: Facts): Deadline[] {
  const rule = policy.measureType.reassessment;
  if (!rule) return [];
  const out: Deadline[] = [];
  f.periods.forEach((p, k) => {
    const next = f.periods[k + 1];
    const inPeriod = f.extensions
      .filter((e): e is typeof e & { until: IsoDate } => e.until !== undefined)
      .filter(
        (e) => compareDates(e.decidedOn, p.startOn) >= 0 && (!next || compareDates(e.decidedOn, next.startOn) < 0),
      )
      .sort((a, b) => compareDates(a.decidedOn, b.decidedOn));
    let current: Deadline = {
      id: `reassessment#${k + 1}`,
      kind: 'reassessment',
      ...timing(rule, { date: p.startOn, at: p.at }),
      status: 'pending',
      basis: 'municipal',
      strength: rule.strength,
      source: rule.source,
      forcesDecision: true,
    };
    inPeriod.forEach((e, j) => {
      out.push(settle(current, e.decidedOn, e.eventId, e.at));
      current = {
        id: `reassessment#${k + 1}.${j + 1}`,
        kind: 'reassessment',
        ...dateTiming(e.until),
        status: 'pending',
        basis: 'municipal',
        strength: rule.strength,
        source: rule.source,
        forcesDecision: true,
        approvedBy: e.approvedBy,
      };
    });
    if (next) out.push(settle(current, decidedOn(next), next.eventId, next.at));
    else out.push(settle(current, f.closed?.closedOn, f.closed?.eventId, f.closed?.at));
  });
  return out;
}

/** The extensions that continue a count limit: a new count, or a new `until` where the type has no
 *  reassessment of its own to move. */
export function courseExtensions(policy: MeasurePolicy, f: Facts): Facts['extensions'] {
  const t = policy.measureType;
  if (!t.countLimit) return [];
  return f.extensions
    .filter((e) => e.count !== undefined || (e.until !== undefined && !t.reassessment))
    .sort((a, b) => compareDates(a.decidedOn, b.decidedOn));
}

/** The count the course allows now: the policy's, or the last extension's. */
export function currentCountMax(policy: MeasurePolicy, f: Facts): number | undefined {
  const c = policy.measureType.countLimit;
  if (!c) return undefined;
  return courseExtensions(policy, f).reduce((max, e) => e.count ?? max, c.max);
}

/** A count limit ("op til 8 samtaler inden for 6 måneder"): due to end at the count or the time
 *  limit, whichever comes first. Where the count is an evaluation point, an extension (a new count
 *  and/or until) settles it and the course runs on to the new limit. */
function courseEnd(policy: MeasurePolicy, f: Facts): Deadline[] {
  const c = policy.measureType.countLimit;
  const g = f.grant!;
  if (!c) return [];
  const sessions = [...f.sessions].sort((a, b) => compareDates(a.heldOn, b.heldOn));
  const byTime = c.within
    ? timing({ after: c.within, from: 'start', strength: c.strength, source: c.source }, { date: g.startOn, at: g.at })
    : undefined;
  const exts = courseExtensions(policy, f);
  const out: Deadline[] = [];
  let max = c.max;
  let until = byTime ? byTime.dueOn : undefined;
  for (let k = 0; k <= exts.length; k++) {
    const atCount = sessions.length >= max ? sessions[max - 1].heldOn : undefined;
    // Without a time limit the course ends only at the count: no date until it is reached.
    const end = atCount && until ? minDate(atCount, until) : (atCount ?? until);
    const tm =
      end === undefined ? undefined : k === 0 && byTime && end === byTime.dueOn && !atCount ? byTime : dateTiming(end);
    const by = exts[k];
    if (tm) {
      const d: Deadline = {
        id: k === 0 ? 'course-end' : `course-end#${k}`,
        kind: 'course-end',
        ...tm,
        status: 'pending',
        basis: 'municipal',
        strength: c.strength,
        source: c.source,
        forcesDecision: true,
      };
      if (k > 0) d.approvedBy = exts[k - 1].approvedBy;
      out.push(
        by
          ? settle(d, by.decidedOn, by.eventId, by.at)
          : settle(d, f.closed?.closedOn, f.closed?.eventId, f.closed?.at),
      );
    }
    if (!by) break;
    max = by.count ?? max;
    until = by.until ?? until;
  }
  return out;
}

const isMilestone = (from: ObligationAnchor): from is MilestoneAnchor => from.startsWith('milestone:');

/** Where an obligation counts from; undefined until that has happened (a placement, a birth date). */
function obligationAnchor(from: ObligationAnchor, f: Facts): AnchorPoint | undefined {
  const g = f.grant!;
  if (from === 'birth')
    return g.childBirthDate ? { date: g.childBirthDate, at: startOfDay(g.childBirthDate) } : undefined;
  if (isMilestone(from)) {
    const name = from.slice('milestone:'.length);
    const m = (f.milestones ?? []).filter((x) => x.milestone === name).sort((a, b) => compareDates(a.on, b.on))[0];
    return m ? { date: m.on, at: m.at } : undefined;
  }
  if (from === 'child.placed' || from === 'child.placement-ended' || from === 'family.moved-away') {
    const e = (f.caseEvents ?? []).filter((c) => c.type === from).sort((a, b) => compareDates(a.on, b.on))[0];
    return e ? { date: e.on, at: e.at } : undefined;
  }
  return anchorPoint(from, f);
}

function ruleOf(o: ObligationRule, after: IsoDuration | DurationRange): TimerRule {
  return { after, from: 'start', strength: o.strength, source: o.source };
}

/** Whether an obligation scoped to some measures of its type (a package, an age band, a document
 *  the grant lists) applies to this one, on its anchor date. */
function applies(o: ObligationRule, f: Facts, on: IsoDate): boolean {
  const s = o.appliesTo;
  if (!s) return true;
  const g = f.grant!;
  if (s.packages && !s.packages.includes(packageOn(f, on) ?? '')) return false;
  if (s.withPrerequisite && !(g.prerequisites ?? []).includes(s.withPrerequisite)) return false;
  if (s.ageFrom || s.ageBefore) {
    if (!g.childBirthDate) return false;
    if (s.ageFrom && compareDates(on, addToDate(g.childBirthDate, s.ageFrom)) < 0) return false;
    if (s.ageBefore && compareDates(on, addToDate(g.childBirthDate, s.ageBefore)) >= 0) return false;
  }
  return true;
}

/** Contacts, reviews, prerequisites, intensive periods, age rules and linked ends. */
function obligations(policy: MeasurePolicy, f: Facts): Deadline[] {
  const out: Deadline[] = [];
  for (const o of policy.measureType.obligations ?? []) {
    const anchor = obligationAnchor(o.from, f);
    if (!anchor || !applies(o, f, anchor.date)) continue;
    const base = {
      kind: o.kind,
      status: 'pending' as const,
      basis: 'municipal' as const,
      strength: o.strength,
      source: o.source,
      forcesDecision: o.forcesDecision,
    };
    let first: Deadline = { id: o.kind, ...base, ...timing(ruleOf(o, o.after), anchor) };
    const g = f.grant!;
    // Nothing is due before the measure exists: an age reached before the start (a 17-year-old's
    // transition plan at 17½) is due at the start, or the policy's grace after it. The grant was
    // decided knowing the age, so such a deadline forces no decision of its own.
    if (o.from === 'birth' && o.settledBy.by !== 'closure' && compareDates(first.dueOn, g.startOn) < 0)
      first = {
        ...first,
        ...dateTiming(o.graceAfterStart ? addToDate(g.startOn, o.graceAfterStart) : g.startOn),
        expectedFrom: undefined,
        forcesDecision: undefined,
      };
    if (o.settledBy.by === 'closure') {
      out.push(settle(first, f.closed?.closedOn, f.closed?.eventId, f.closed?.at));
      continue;
    }
    if (o.settledBy.by === 'decision') {
      const decision = firstDecisionAfter(f, anchor.date);
      out.push(settle(first, decision?.on, decision?.eventId));
      continue;
    }
    const met = (f.obligationsMet ?? [])
      .filter((m) => m.kind === o.kind)
      .sort((a, b) => compareDates(a.metOn, b.metOn));
    // A prerequisite already in place at the grant is met on the grant date.
    const doc = o.settledBy.document;
    if (doc && f.grant?.prerequisites?.includes(doc))
      met.unshift({ kind: o.kind, metOn: f.grant.grantedOn, eventId: f.grant.eventId, at: f.grant.at });
    out.push(settle(first, met[0]?.metOn, met[0]?.eventId, met[0]?.at));
    if (!o.every || !met[0]) continue;
    for (let i = 1; ; i++) {
      const prev = met[i - 1];
      const d = { id: `${o.kind}#${i}`, ...base, ...timing(ruleOf(o, o.every), { date: prev.metOn, at: prev.at }) };
      out.push(settle(d, met[i]?.metOn, met[i]?.eventId, met[i]?.at));
      if (!met[i]) break;
    }
  }
  return out;
}

/** The first decision on the measure (package change, extension, closure) on or after a date. */
function firstDecisionAfter(f: Facts, from: IsoDate): { on: IsoDate; eventId: string } | undefined {
  const all = [
    ...f.periods.slice(1).map((p) => ({ on: decidedOn(p), eventId: p.eventId })),
    ...f.extensions.map((e) => ({ on: e.decidedOn, eventId: e.eventId })),
    ...(f.closed ? [{ on: f.closed.closedOn, eventId: f.closed.eventId }] : []),
  ].filter((d) => compareDates(d.on, from) >= 0);
  return all.sort((a, b) => compareDates(a.on, b.on))[0];
}

/** Deadlines still open at `now` that have passed their overdue instant. */
export function isOverdue(d: Deadline, now: number): boolean {
  return d.status === 'pending' && now >= d.overdueAt;
}

export function displayStatus(d: Deadline, now: number): 'pending' | 'met' | 'overdue' | 'cancelled' {
  return isOverdue(d, now) ? 'overdue' : d.status;
}

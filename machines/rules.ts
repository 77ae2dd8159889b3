// The rules that judge an event against the measure's policy and facts: hard rules refuse it (the
// machine's `allowed` guard is "no rule broken"), soft rules accept it with a warning. Each rule
// carries its words, for the 409 the case system reads.
import { addToDate, compareDates, dateOf, type IsoDate } from './dates';
import { deriveDeadlines } from './deadlines';
import { currentPeriod, type Facts } from './facts';
import type { MeasureEvent } from './event-catalogue';
import type { MeasurePolicy } from '../policies/types';

function notInFuture(what: string, on: IsoDate, now: number): string | null {
  if (now > 0 && compareDates(on, dateOf(now)) > 0)
    return `${what} ${on} is in the future (today is ${dateOf(now)} in Copenhagen)`;
  return null;
}

function notBeforeGrant(what: string, on: IsoDate, f: Facts): string | null {
  if (f.grant && compareDates(on, f.grant.grantedOn) < 0)
    return `${what} ${on} is before the measure was granted (${f.grant.grantedOn})`;
  return null;
}

/** The age limits at grant, when the case system sent the birth date: `max` is exclusive (the
 *  child must be younger than it at start, "under 16 år"), `min` inclusive ("fra 12 år"). */
function ageProblem(t: MeasurePolicy['measureType'], birth: IsoDate | undefined, startOn: IsoDate): string | null {
  const a = t.grantAge;
  if (!a || !birth) return null;
  const age = (d: string) => d.replace(/^P/, '').toLowerCase();
  if (a.max && compareDates(startOn, addToDate(birth, a.max)) >= 0)
    return `${t.slug} can be granted only up to the age of ${age(a.max)} (the child must be younger than that at start); the child is not at start ${startOn}`;
  if (a.min && compareDates(startOn, addToDate(birth, a.min)) < 0)
    return `${t.slug} can be granted only from the age of ${age(a.min)}; the child is younger at start ${startOn}`;
  return null;
}

function ageRefusal(t: MeasurePolicy['measureType'], birth: IsoDate | undefined, startOn: IsoDate): string | null {
  return t.grantAge?.strength === 'hard' ? ageProblem(t, birth, startOn) : null;
}

/** Soft rules the event breaks: accepted, with the warning stored in its answer (domain.md: soft
 *  rules warn and escalate, and accept a justified exception). */
export function warnings(policy: MeasurePolicy, e: MeasureEvent): string[] {
  const t = policy.measureType;
  const out: string[] = [];
  if (e.type === 'measure.granted' && t.grantAge?.strength === 'soft') {
    const w = ageProblem(t, e.data.childBirthDate, e.data.startOn);
    if (w) out.push(`${w} (a soft rule: accepted as an exception)`);
  }
  if (e.type === 'measure.closed')
    for (const r of t.closeRestrictions ?? [])
      if (r.strength === 'soft' && r.reasons.includes(e.data.reason))
        out.push(`closing with reason ${e.data.reason}: ${r.note} (a soft rule)`);
  return out;
}

/** The hard rule the event breaks, in words, or null: what the machine's `allowed` guard asks.
 *  Whether the measure's state listens to the event at all is the machine's (its states' `on`). */
export function brokenRule(policy: MeasurePolicy, f: Facts, e: MeasureEvent): string | null {
  const t = policy.measureType;
  switch (e.type) {
    case 'measure.granted': {
      if (e.data.municipality !== policy.municipality || e.data.measureType !== t.slug)
        return `the grant names ${e.data.municipality}/${e.data.measureType} but the measure runs under ${policy.municipality}/${t.slug}`;
      if (t.discontinued) return `${t.slug} is discontinued ("Udgået") and cannot be granted`;
      if (t.packages.length > 0 && !e.data.package)
        return `${t.slug} has packages (${t.packages.map((p) => p.slug).join(', ')}); the grant must name one`;
      if (t.packages.length === 0 && e.data.package)
        return `${t.slug} has no packages; the grant names ${e.data.package}`;
      if (e.data.package && !t.packages.some((p) => p.slug === e.data.package))
        return `unknown package ${e.data.package}`;
      if (compareDates(e.data.startOn, e.data.grantedOn) < 0)
        return `startOn ${e.data.startOn} is before grantedOn ${e.data.grantedOn}`;
      return ageRefusal(t, e.data.childBirthDate, e.data.startOn);
    }
    case 'measure.treatment-plan-received':
      if (!t.treatmentPlan) return `${t.slug} has no treatment plan in its service level`;
      if (f.treatmentPlan) return `the treatment plan was already received on ${f.treatmentPlan.receivedOn}`;
      return notBeforeGrant('receivedOn', e.data.receivedOn, f) ?? notInFuture('receivedOn', e.data.receivedOn, f.now);
    case 'measure.startup-meeting-held':
      if (!t.startupMeeting) return `${t.slug} has no startup meeting in its service level`;
      if (f.startupMeeting) return `the startup meeting was already held on ${f.startupMeeting.heldOn}`;
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    case 'measure.follow-up-held':
      if (t.startupMeeting && !f.startupMeeting)
        return 'a follow-up cannot be held before the startup meeting has been held';
      if (f.startupMeeting && compareDates(e.data.heldOn, f.startupMeeting.heldOn) < 0)
        return `heldOn ${e.data.heldOn} is before the startup meeting (${f.startupMeeting.heldOn})`;
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    case 'measure.session-held':
      if (!t.countLimit) return `${t.slug} has no count limit; sessions are not tracked`;
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    case 'measure.package-changed': {
      if (t.packages.length === 0) return `${t.slug} has no packages`;
      if (!t.packages.some((p) => p.slug === e.data.package)) return `unknown package ${e.data.package}`;
      const p = currentPeriod(f);
      if (p && p.package === e.data.package) return `the measure already runs package ${e.data.package}`;
      if (p && compareDates(e.data.effectiveOn, p.startOn) <= 0)
        return `effectiveOn ${e.data.effectiveOn} must be after the current package period's start (${p.startOn})`;
      return null;
    }
    case 'measure.extended': {
      const r = t.reassessment;
      if (!r || r.extensionApprovers.length === 0) return `the service level for ${t.slug} allows no extension`;
      if (!r.extensionApprovers.includes(e.data.approvedBy))
        return `an extension of ${t.slug} must be approved by ${r.extensionApprovers.join(' or ')}; approvedBy was ${e.data.approvedBy}`;
      const open = deriveDeadlines(policy, f)
        .filter((d) => d.kind === 'reassessment' && d.status === 'pending')
        .pop();
      if (open && compareDates(e.data.until, open.dueOn) <= 0)
        return `until ${e.data.until} does not extend beyond the current limit ${open.dueOn}`;
      const p = currentPeriod(f);
      if (r.maxExtendedTo && p) {
        const longest = addToDate(p.startOn, r.maxExtendedTo);
        if (compareDates(e.data.until, longest) > 0)
          return `until ${e.data.until} is beyond the longest extension the service level allows (${r.maxExtendedTo} from the package period's start ${p.startOn}: ${longest})`;
      }
      return null;
    }
    case 'measure.closed': {
      const forbidden = (t.closeRestrictions ?? []).find(
        (r) => r.strength === 'hard' && r.reasons.includes(e.data.reason),
      );
      if (forbidden) return `${t.slug} may not be closed with reason ${e.data.reason}: ${forbidden.note}`;
      // A closure is reported when it has happened; until then the measure's deadlines still run.
      return notBeforeGrant('closedOn', e.data.closedOn, f) ?? notInFuture('closedOn', e.data.closedOn, f.now);
    }
    case 'measure.obligation-met': {
      const kinds = (t.obligations ?? []).filter((o) => o.settledBy.by === 'event').map((o) => o.kind);
      if (!kinds.includes(e.data.obligation))
        return `${t.slug} has no obligation ${e.data.obligation}${kinds.length ? `; it has ${kinds.join(', ')}` : ''}`;
      return notInFuture('metOn', e.data.metOn, f.now);
    }
    case 'child.placed':
      return notInFuture('placedOn', e.data.placedOn, f.now);
    case 'child.placement-ended':
      return notInFuture('endedOn', e.data.endedOn, f.now);
    case 'family.moved-away':
      return notInFuture('movedOn', e.data.movedOn, f.now);
  }
}

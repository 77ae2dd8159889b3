// The rules that judge an event against the measure's policy and facts: hard rules refuse it (the
// machine's `allowed` guard is "no rule broken"), soft rules accept it with a warning. Each rule
// carries its words: a stable English `code`, a Danish message a caseworker can be shown, and the
// English detail for the case-system developer (the API's 409 carries all three).
import { addToDate, compareDates, dateOf, type IsoDate } from './dates';
import { currentCountMax, deriveDeadlines } from './deadlines';
import { capInDanish, capsExceeded } from './delivery';
import { currentPeriod, type Facts } from './facts';
import type { MeasureEvent } from './event-catalogue';
import type { MeasurePolicy, RuleSource } from '../policies/types';

/** Why an event is refused: a stable English `code` for machines, a Danish `message` fit to show a
 *  caseworker, and the English `detail` for a case-system developer. */
export interface Refusal {
  code: string;
  message: string;
  detail: string;
}

const no = (code: string, message: string, detail: string): Refusal => ({ code, message, detail });

/** A date as a Danish caseworker reads it: 20.11.2026. */
export function dkDate(d: IsoDate | undefined): string {
  if (!d) return '(ukendt dato)';
  const [y, m, day] = d.split('-');
  return `${day}.${m}.${y}`;
}

/** An age as a duration from birth, in Danish: P18Y → "18 år", P17Y6M → "17½ år". */
export function dkAge(age: string): string {
  const m = /^P(\d+)Y(?:(\d+)M)?$/.exec(age);
  if (!m) return age;
  const months = Number(m[2] ?? 0);
  return months === 6 ? `${m[1]}½ år` : months ? `${m[1]} år og ${months} måneder` : `${m[1]} år`;
}

const DATE_WORDS: Record<string, string> = {
  receivedOn: 'modtagelsesdatoen',
  heldOn: 'mødedatoen',
  decidedOn: 'afgørelsesdatoen',
  closedOn: 'afslutningsdatoen',
  metOn: 'datoen',
  placedOn: 'anbringelsesdatoen',
  endedOn: 'ophørsdatoen',
  movedOn: 'fraflytningsdatoen',
  deliveredOn: 'leveringsdatoen',
  occurredOn: 'datoen for hændelsen',
};

function notInFuture(what: string, on: IsoDate, now: number): Refusal | null {
  if (now > 0 && compareDates(on, dateOf(now)) > 0)
    return no(
      'date-in-future',
      `${DATE_WORDS[what] ?? what} ${dkDate(on)} ligger ude i fremtiden (i dag er ${dkDate(dateOf(now))})`,
      `${what} ${on} is in the future (today is ${dateOf(now)} in Copenhagen)`,
    );
  return null;
}

function notBeforeGrant(what: string, on: IsoDate, f: Facts): Refusal | null {
  if (f.grant && compareDates(on, f.grant.grantedOn) < 0)
    return no(
      'date-before-grant',
      `${DATE_WORDS[what] ?? what} ${dkDate(on)} ligger før bevillingen (${dkDate(f.grant.grantedOn)})`,
      `${what} ${on} is before the measure was granted (${f.grant.grantedOn})`,
    );
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

function ageRefusal(t: MeasurePolicy['measureType'], birth: IsoDate | undefined, startOn: IsoDate): Refusal | null {
  const a = t.grantAge;
  const why = a?.strength === 'hard' ? ageProblem(t, birth, startOn) : null;
  if (!why || !a) return null;
  if (a.max && compareDates(startOn, addToDate(birth!, a.max)) >= 0)
    return no(
      'age-above-limit',
      `${t.name} kan kun bevilges til børn og unge under ${dkAge(a.max)}; barnet er ${dkAge(a.max)} eller ældre ved start ${dkDate(startOn)}`,
      why,
    );
  return no(
    'age-below-limit',
    `${t.name} kan først bevilges fra ${dkAge(a.min ?? '')}; barnet er yngre ved start ${dkDate(startOn)}`,
    why,
  );
}

/** The startup meeting's timer is a rule the seed states, or a municipal default the product chose
 *  (`policy-setting`). Only the seed's rule may hold back a follow-up, which the law requires. */
function startupMeetingRequired(t: MeasurePolicy['measureType']): boolean {
  return t.startupMeeting !== null && t.startupMeeting.source.kind !== 'policy-setting';
}

/** A soft rule the event broke: the event is accepted, and the case system is told in the same
 *  words as a refusal: a stable English `code`, a Danish `message` fit to show a caseworker and the
 *  English `detail` for a case-system developer. */
export type Warning = Refusal;

/** The close reasons as a caseworker says them. */
const CLOSE_REASON_WORDS: Record<string, string> = {
  'goal-reached': 'målet er nået',
  'no-progress': 'ingen effekt',
  'not-motivated': 'familien er ikke motiveret',
  'offer-not-used': 'tilbuddet benyttes ikke',
  placed: 'barnet er anbragt',
  moved: 'familien er fraflyttet',
  'aged-out': 'aldersgrænsen er nået',
  other: 'anden årsag',
};

/** The seed's own words where the rule has them (Danish, verbatim), for a warning's message. */
const seedWords = (source: RuleSource): string =>
  source.kind === 'seed' && source.quote ? ` (serviceniveauet: "${source.quote}")` : '';

/** Soft rules the event breaks: accepted, with the warnings stored in its answer (domain.md: soft
 *  rules warn and escalate, and accept a justified exception). `after` are the facts with the event
 *  recorded, when the caller has them. */
export function warnings(policy: MeasurePolicy, e: MeasureEvent, after?: Facts): Warning[] {
  const t = policy.measureType;
  const out: Warning[] = [];
  if (e.type === 'measure.follow-up-held' && after && t.startupMeeting && !after.startupMeeting)
    out.push(
      no(
        'follow-up-before-startup-meeting',
        `opfølgningen ${dkDate(e.data.heldOn)} er registreret, selv om der endnu ikke er meldt et opstartsmøde: opfølgningen er en lovpligt, og opstartsmødet skal stadig holdes`,
        'a follow-up was held before a startup meeting was reported: accepted, the follow-up is a legal duty and the startup meeting is still due',
      ),
    );
  if (e.type === 'measure.session-held' && after && t.countLimit?.strength === 'soft') {
    const max = currentCountMax(policy, after) ?? t.countLimit.max;
    if (after.sessions.length > max)
      out.push(
        no(
          'count-limit-exceeded',
          `${t.name} omfatter som udgangspunkt højst ${max} ${t.countLimit.unit}; nr. ${after.sessions.length} (${dkDate(e.data.heldOn)}) er registreret som en undtagelse${seedWords(t.countLimit.source)}`,
          `session ${after.sessions.length} is beyond the ${max} ${t.countLimit.unit} the service level sets (a soft rule: accepted as an exception)`,
        ),
      );
  }
  if (e.type === 'measure.granted' && t.grantAge?.strength === 'soft') {
    const w = ageProblem(t, e.data.childBirthDate, e.data.startOn);
    const a = t.grantAge;
    if (w)
      out.push(
        a.max && compareDates(e.data.startOn, addToDate(e.data.childBirthDate!, a.max)) >= 0
          ? no(
              'age-above-limit',
              `${t.name} bevilges som udgangspunkt til børn og unge under ${dkAge(a.max)}; barnet er ${dkAge(a.max)} eller ældre ved start ${dkDate(e.data.startOn)}: bevillingen er registreret som en undtagelse${seedWords(a.source)}`,
              `${w} (a soft rule: accepted as an exception)`,
            )
          : no(
              'age-below-limit',
              `${t.name} bevilges som udgangspunkt fra ${dkAge(a.min ?? '')}; barnet er yngre ved start ${dkDate(e.data.startOn)}: bevillingen er registreret som en undtagelse${seedWords(a.source)}`,
              `${w} (a soft rule: accepted as an exception)`,
            ),
      );
  }
  if (e.type === 'measure.closed')
    for (const r of t.closeRestrictions ?? [])
      if (r.strength === 'soft' && r.reasons.includes(e.data.reason))
        out.push(
          no(
            'close-reason-discouraged',
            `${t.name} bør som udgangspunkt ikke afsluttes med begrundelsen "${CLOSE_REASON_WORDS[e.data.reason] ?? e.data.reason}"; afslutningen er registreret som en undtagelse${seedWords(r.source)}`,
            `closing with reason ${e.data.reason}: ${r.note} (a soft rule)`,
          ),
        );
  if (e.type === 'measure.delivery-reported' && after) {
    // The delivery is among `after`'s: judge it against the deliveries before it.
    const before = { ...after, deliveries: (after.deliveries ?? []).filter((d) => d.eventId !== e.eventId) };
    for (const x of capsExceeded(t, before, e.data.deliveredOn, e.data))
      if (x.cap.strength === 'soft')
        out.push(
          no(
            'delivery-cap-exceeded',
            `${t.name}${x.cap.package ? ` (${t.packages.find((p) => p.slug === x.cap.package)?.name ?? x.cap.package})` : ''} omfatter som udgangspunkt højst ${capInDanish(x.cap)}; med leveringen ${dkDate(e.data.deliveredOn)} er det ${x.total} i perioden ${dkDate(x.from)}-${dkDate(x.to)}: registreret som en undtagelse${seedWords(x.cap.source)}`,
            `${t.slug}${x.cap.package ? ` (package ${x.cap.package})` : ''} sets at most ${x.cap.max} ${x.cap.unit} per ${x.cap.per} as a rule; the delivery on ${e.data.deliveredOn} makes ${x.total} in ${x.from}..${x.to} (a soft rule: accepted as an exception)`,
          ),
        );
  }
  const r = t.reassessment;
  if (
    e.type === 'measure.extended' &&
    e.data.until &&
    r?.maxExtendedTo &&
    r.maxExtendedToStrength === 'soft' &&
    after
  ) {
    const p = currentPeriod(after);
    const longest = p ? addToDate(p.startOn, r.maxExtendedTo) : undefined;
    if (longest && compareDates(e.data.until, longest) > 0)
      out.push(
        no(
          'extension-beyond-maximum',
          `forlængelsen til ${dkDate(e.data.until)} rækker ud over ${dkDate(longest)}, som serviceniveauet som udgangspunkt sætter som længste varighed; den er registreret som en undtagelse${seedWords(r.source)}`,
          `until ${e.data.until} is beyond the ${r.maxExtendedTo} the service level sets as a rule (${longest}; a soft rule: accepted as an exception)`,
        ),
      );
  }
  return out;
}

/** The hard rule the event breaks, or null: what the machine's `allowed` guard asks. Whether the
 *  measure's state listens to the event at all is the machine's (its states' `on`). */
export function brokenRule(policy: MeasurePolicy, f: Facts, e: MeasureEvent): Refusal | null {
  const t = policy.measureType;
  const name = t.name;
  switch (e.type) {
    case 'measure.granted': {
      if (e.data.municipality !== policy.municipality || e.data.measureType !== t.slug)
        return no(
          'grant-mismatch',
          `bevillingen nævner ${e.data.municipality}/${e.data.measureType}, men foranstaltningen kører under ${policy.municipality}/${t.slug}`,
          `the grant names ${e.data.municipality}/${e.data.measureType} but the measure runs under ${policy.municipality}/${t.slug}`,
        );
      if (t.discontinued)
        return no(
          'discontinued',
          `${name} er udgået og kan ikke bevilges`,
          `${t.slug} is discontinued ("Udgået") and cannot be granted`,
        );
      if (t.packages.length > 0 && !e.data.package)
        return no(
          'package-required',
          `${name} bevilges i pakker (${t.packages.map((p) => p.name).join(', ')}); bevillingen skal nævne én`,
          `${t.slug} has packages (${t.packages.map((p) => p.slug).join(', ')}); the grant must name one`,
        );
      if (t.packages.length === 0 && e.data.package)
        return no(
          'no-packages',
          `${name} har ingen pakker; bevillingen nævner ${e.data.package}`,
          `${t.slug} has no packages; the grant names ${e.data.package}`,
        );
      if (e.data.package && !t.packages.some((p) => p.slug === e.data.package))
        return no('unknown-package', `ukendt pakke ${e.data.package}`, `unknown package ${e.data.package}`);
      if (compareDates(e.data.startOn, e.data.grantedOn) < 0)
        return no(
          'start-before-grant',
          `startdatoen ${dkDate(e.data.startOn)} ligger før bevillingsdatoen ${dkDate(e.data.grantedOn)}`,
          `startOn ${e.data.startOn} is before grantedOn ${e.data.grantedOn}`,
        );
      return ageRefusal(t, e.data.childBirthDate, e.data.startOn);
    }
    case 'measure.treatment-plan-received':
      if (!t.treatmentPlan)
        return no(
          'no-treatment-plan',
          `${name} har ingen behandlingsplan i serviceniveauet`,
          `${t.slug} has no treatment plan in its service level`,
        );
      if (f.treatmentPlan)
        return no(
          'treatment-plan-already-received',
          `behandlingsplanen er allerede modtaget ${dkDate(f.treatmentPlan.receivedOn)}`,
          `the treatment plan was already received on ${f.treatmentPlan.receivedOn}`,
        );
      return notBeforeGrant('receivedOn', e.data.receivedOn, f) ?? notInFuture('receivedOn', e.data.receivedOn, f.now);
    case 'measure.startup-meeting-held':
      if (!t.startupMeeting)
        return no(
          'no-startup-meeting',
          `${name} har intet opstartsmøde i serviceniveauet`,
          `${t.slug} has no startup meeting in its service level`,
        );
      if (f.startupMeeting)
        return no(
          'startup-meeting-already-held',
          `opstartsmødet er allerede holdt ${dkDate(f.startupMeeting.heldOn)}`,
          `the startup meeting was already held on ${f.startupMeeting.heldOn}`,
        );
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    case 'measure.follow-up-held':
      if (startupMeetingRequired(t) && !f.startupMeeting)
        return no(
          'follow-up-before-startup-meeting',
          'en opfølgning kan ikke holdes, før opstartsmødet er holdt',
          'a follow-up cannot be held before the startup meeting has been held',
        );
      if (f.startupMeeting && compareDates(e.data.heldOn, f.startupMeeting.heldOn) < 0)
        return no(
          'follow-up-before-startup-meeting',
          `opfølgningen ${dkDate(e.data.heldOn)} ligger før opstartsmødet (${dkDate(f.startupMeeting.heldOn)})`,
          `heldOn ${e.data.heldOn} is before the startup meeting (${f.startupMeeting.heldOn})`,
        );
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    case 'measure.session-held': {
      const c = t.countLimit;
      if (!c)
        return no(
          'no-count-limit',
          `${name} har intet loft over antal samtaler; de registreres ikke`,
          `${t.slug} has no count limit; sessions are not tracked`,
        );
      const max = currentCountMax(policy, f) ?? c.max;
      if (c.strength === 'hard' && f.sessions.length >= max)
        return no(
          'count-limit-reached',
          `${name} omfatter højst ${max} ${c.unit}, og ${f.sessions.length} er holdt${c.extensionApprovers ? `; forløbet kan fortsætte med en forlængelse godkendt af ${c.extensionApprovers.join(' eller ')}` : ''}`,
          `${t.slug} allows at most ${max} ${c.unit} and ${f.sessions.length} have been held${c.extensionApprovers ? `; a measure.extended with a new count, approved by ${c.extensionApprovers.join(' or ')}, continues the course` : ''}`,
        );
      return notBeforeGrant('heldOn', e.data.heldOn, f) ?? notInFuture('heldOn', e.data.heldOn, f.now);
    }
    case 'measure.package-changed': {
      if (t.packages.length === 0) return no('no-packages', `${name} har ingen pakker`, `${t.slug} has no packages`);
      if (!t.packages.some((p) => p.slug === e.data.package))
        return no('unknown-package', `ukendt pakke ${e.data.package}`, `unknown package ${e.data.package}`);
      const p = currentPeriod(f);
      if (p && p.package === e.data.package)
        return no(
          'same-package',
          `foranstaltningen kører allerede pakke ${e.data.package}`,
          `the measure already runs package ${e.data.package}`,
        );
      if (p && compareDates(e.data.effectiveOn, p.startOn) <= 0)
        return no(
          'package-change-too-early',
          `den nye pakke skal starte efter den nuværende pakkes start (${dkDate(p.startOn)}); den angivne dato er ${dkDate(e.data.effectiveOn)}`,
          `effectiveOn ${e.data.effectiveOn} must be after the current package period's start (${p.startOn})`,
        );
      return e.data.decidedOn
        ? (notBeforeGrant('decidedOn', e.data.decidedOn, f) ?? notInFuture('decidedOn', e.data.decidedOn, f.now))
        : null;
    }
    case 'measure.extended': {
      const x = e.data;
      if (x.until === undefined && x.count === undefined)
        return no(
          'extension-empty',
          'en forlængelse skal angive en ny slutdato, et nyt antal eller begge',
          'an extension names a new until, a new count, or both',
        );
      const r = t.reassessment && t.reassessment.extensionApprovers.length > 0 ? t.reassessment : null;
      const c = t.countLimit?.extensionApprovers ? t.countLimit : null;
      // An until moves the reassessment where the type has one, else the course's time limit.
      const untilRule = x.until === undefined ? null : r ? 'reassessment' : c ? 'course-end' : null;
      if ((x.until !== undefined && !untilRule) || (x.count !== undefined && !c)) {
        if (x.count !== undefined && r)
          return no(
            'no-count-extension',
            `serviceniveauet for ${name} har intet antal, der kan forlænges; forlæng med en ny slutdato`,
            `the service level for ${t.slug} sets no count that can be continued; extend its limit with a new until`,
          );
        return no(
          'extension-not-allowed',
          `serviceniveauet for ${name} giver ikke mulighed for forlængelse`,
          `the service level for ${t.slug} allows no extension`,
        );
      }
      const approvers =
        x.count !== undefined || untilRule === 'course-end' ? c!.extensionApprovers! : r!.extensionApprovers;
      if (!approvers.includes(x.approvedBy))
        return no(
          'wrong-approver',
          `en forlængelse af ${name} skal godkendes af ${approvers.join(' eller ')}, ikke af ${x.approvedBy}`,
          `an extension of ${t.slug} must be approved by ${approvers.join(' or ')}; approvedBy was ${x.approvedBy}`,
        );
      if (x.decidedOn) {
        const when = notBeforeGrant('decidedOn', x.decidedOn, f) ?? notInFuture('decidedOn', x.decidedOn, f.now);
        if (when) return when;
      }
      if (x.count !== undefined) {
        const max = currentCountMax(policy, f)!;
        if (x.count <= max)
          return no(
            'extension-too-short',
            `det nye antal (${x.count}) skal være større end det nuværende (${max} ${c!.unit})`,
            `count ${x.count} does not continue the course beyond its current ${max} ${c!.unit}`,
          );
      }
      if (x.until !== undefined) {
        const open = deriveDeadlines(policy, f)
          .filter((d) => d.kind === untilRule && d.status === 'pending')
          .pop();
        if (open && compareDates(x.until, open.dueOn) <= 0)
          return no(
            'extension-too-short',
            `den nye slutdato ${dkDate(x.until)} ligger ikke efter den nuværende frist ${dkDate(open.dueOn)}`,
            `until ${x.until} does not extend beyond the current limit ${open.dueOn}`,
          );
        const p = currentPeriod(f);
        if (untilRule === 'reassessment' && r!.extensionStep && open) {
          const step = addToDate(open.dueOn, r!.extensionStep);
          if (compareDates(x.until, step) > 0)
            return no(
              'extension-step-exceeded',
              `der forlænges ét trin ad gangen: højst til ${dkDate(step)}, ikke ${dkDate(x.until)}`,
              `until ${x.until} reaches beyond one step of ${r!.extensionStep} from the current limit ${open.dueOn} (${step}): the service level extends one step at a time`,
            );
        }
        if (untilRule === 'reassessment' && r!.maxExtendedTo && r!.maxExtendedToStrength !== 'soft' && p) {
          const longest = addToDate(p.startOn, r!.maxExtendedTo);
          if (compareDates(x.until, longest) > 0)
            return no(
              'extension-beyond-maximum',
              `serviceniveauet tillader højst forlængelse til ${dkDate(longest)}; den angivne slutdato er ${dkDate(x.until)}`,
              `until ${x.until} is beyond the longest extension the service level allows (${r!.maxExtendedTo} from the package period's start ${p.startOn}: ${longest})`,
            );
        }
      }
      return null;
    }
    case 'measure.closed': {
      const forbidden = (t.closeRestrictions ?? []).find(
        (r) => r.strength === 'hard' && r.reasons.includes(e.data.reason),
      );
      if (forbidden)
        return no(
          'close-reason-forbidden',
          `${name} må ikke afsluttes med begrundelsen ${e.data.reason}: ${forbidden.note}`,
          `${t.slug} may not be closed with reason ${e.data.reason}: ${forbidden.note}`,
        );
      const owed = deriveDeadlines(policy, f).find(
        (d) =>
          d.status === 'pending' &&
          (t.obligations ?? []).some((o) => o.kind === d.kind && o.blocksClosure && o.strength === 'hard'),
      );
      if (owed)
        return no(
          'obligation-owed',
          `${owed.name ?? owed.kind} (frist ${dkDate(owed.dueOn)}) mangler stadig: registrér den, før foranstaltningen afsluttes`,
          `${owed.kind} (due ${owed.dueOn}) is still owed: report it with measure.obligation-met before the measure is closed`,
        );
      // A closure is reported when it has happened; until then the measure's deadlines still run.
      return notBeforeGrant('closedOn', e.data.closedOn, f) ?? notInFuture('closedOn', e.data.closedOn, f.now);
    }
    case 'measure.obligation-met': {
      const os = (t.obligations ?? []).filter((o) => o.settledBy.by === 'event');
      if (!os.some((o) => o.kind === e.data.obligation))
        return no(
          'unknown-obligation',
          `${name} har ingen pligt ${e.data.obligation}${os.length ? `; den har ${os.map((o) => `${o.name} (${o.kind})`).join(', ')}` : ''}`,
          `${t.slug} has no obligation ${e.data.obligation}${os.length ? `; it has ${os.map((o) => o.kind).join(', ')}` : ''}`,
        );
      return notInFuture('metOn', e.data.metOn, f.now);
    }
    case 'measure.delivery-reported': {
      const when =
        notBeforeGrant('deliveredOn', e.data.deliveredOn, f) ?? notInFuture('deliveredOn', e.data.deliveredOn, f.now);
      if (when) return when;
      const over = capsExceeded(t, f, e.data.deliveredOn, e.data).find((x) => x.cap.strength === 'hard');
      if (over)
        return no(
          'delivery-cap-exceeded',
          `${name} omfatter højst ${capInDanish(over.cap)}; med denne levering ${dkDate(e.data.deliveredOn)} bliver det ${over.total} i perioden ${dkDate(over.from)}-${dkDate(over.to)}${seedWords(over.cap.source)}`,
          `${t.slug} allows at most ${over.cap.max} ${over.cap.unit} per ${over.cap.per}; this delivery on ${e.data.deliveredOn} makes ${over.total} in ${over.from}..${over.to}`,
        );
      return null;
    }
    case 'case.milestone-reported': {
      const known = [
        ...new Set(
          (t.obligations ?? []).flatMap((o) =>
            o.from.startsWith('milestone:') ? [o.from.slice('milestone:'.length)] : [],
          ),
        ),
      ];
      if (!known.includes(e.data.milestone))
        return no(
          'unknown-milestone',
          `${name} har ingen frist, der regnes fra ${e.data.milestone}${known.length ? `; den kender ${known.join(', ')}` : ''}`,
          `${t.slug} has no obligation counted from milestone ${e.data.milestone}${known.length ? `; it knows ${known.join(', ')}` : ''}`,
        );
      // A request may precede the grant; it cannot lie ahead.
      return notInFuture('occurredOn', e.data.occurredOn, f.now);
    }
    case 'child.placed':
      return notInFuture('placedOn', e.data.placedOn, f.now);
    case 'child.placement-ended':
      return notInFuture('endedOn', e.data.endedOn, f.now);
    case 'family.moved-away':
      return notInFuture('movedOn', e.data.movedOn, f.now);
  }
}

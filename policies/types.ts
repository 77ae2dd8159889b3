// The shape of a municipality's service level, as plain types.
// The machine and the workflow import only these (no zod in the workflow bundle);
// policies/schema.ts validates catalogue files and administrator edits against the same shape.
import type {
  ACTION_PLAN_DECISIONS,
  APPROVER_ROLES,
  CASE_EVENT_TYPES,
  CLOSE_REASONS,
  ESCALATION_ROLES,
  PARTICIPANTS,
} from './vocabulary';

/** ISO-8601 duration: calendar parts (P4W, P3M, P1Y6M, P10D) or, for test policies and
 *  hour-based escalation, time parts (PT5S, PT48H). */
export type IsoDuration = string;

/** A range "som minimum hver 6-8 uge": expected from `min` (a reminder), overdue after `max`. */
export interface DurationRange {
  min: IsoDuration;
  max: IsoDuration;
}

/** Where a rule comes from. Every rule taken from a seed names its document and lines. */
export type RuleSource =
  | {
      kind: 'seed';
      document: string;
      lines: string;
      quote?: string;
      note?: string;
      /** The seed catalogue's entries this rule accounts for (`hjo-pps:timers[3]`): the only way a
       *  catalogue entry earns credit in policies/COVERAGE.md. */
      covers?: string[];
    }
  | { kind: 'statute'; paragraph: string; note?: string; covers?: string[] }
  | { kind: 'policy-setting'; note: string; covers?: string[] };

/** What a timer counts from (docs/domain.md, "How to read a seed rule"). */
export type Anchor =
  | 'start' // the grant's startOn
  | 'granted' // the grant's grantedOn
  | 'startup-meeting' // the date the startup meeting was held
  | 'previous-follow-up' // the date the previous counting follow-up was held
  | 'period-start'; // start of the current package period (startOn, or a package change's effectiveOn)

/** "skal", "maksimalt", "senest", "kun" are hard; "som udgangspunkt", "bør", "typisk" soft. */
export type Strength = 'hard' | 'soft';

export interface TimerRule {
  after: IsoDuration | DurationRange;
  from: Anchor;
  strength: Strength;
  source: RuleSource;
}

export type Participant = (typeof PARTICIPANTS)[number];

export type ActionPlanDecision = (typeof ACTION_PLAN_DECISIONS)[number];

/** Hjørring: a follow-up meets the legal requirement only when the executor and the parents were
 *  heard and the action plan was decided on. A follow-up lacking this is stored but does not count. */
export interface FollowUpValidity {
  requiredParticipants: Participant[];
  requiresActionPlanDecision: boolean;
  source: RuleSource;
}

export interface PackagePolicy {
  slug: string; // roed, orange, gul, groen
  name: string; // "Pakke Rød"
  appointments?: { min: number; max: number; per: 'week' | 'month' };
  weekend?: 'often' | 'no' | 'sometimes';
  /** Grøn is udslusning (phasing out). */
  stepDown?: boolean;
  source: RuleSource;
}

export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** The limit at which the package must be reassessed (closed, changed or extended). */
export interface ReassessmentRule extends TimerRule {
  /** What a decision at the limit may be. */
  outcomes: Array<'close' | 'smaller-package' | 'larger-package' | 'extend'>;
  /** Who may approve a `measure.extended`; empty means extension is not allowed. */
  extensionApprovers: ApproverRole[];
  /** The longest total an extension may reach, counted from period start (e.g. P9M). */
  maxExtendedTo?: IsoDuration;
  /** "Som udgangspunkt ... maksimalt": a soft longest total warns instead of refusing. Default hard. */
  maxExtendedToStrength?: Strength;
  /** How far one extension may reach beyond the current limit ("revisiteres en gang om året": P1Y). */
  extensionStep?: IsoDuration;
}

export interface CountLimit {
  /** "1-3 samtaler", "5-10 møder": the lower end, where the seed gives one (informative). */
  min?: number;
  /** "op til 8 samtaler": the measure is due to end at this count or the time limit. */
  max: number;
  unit: string; // "samtaler", "møder"
  /** The time limit counted from start; absent when the seed limits the count only. */
  within?: IsoDuration;
  /** Where the count is an evaluation point ("evalueres efter max. 8 møder"): who may continue the
   *  course with a `measure.extended` (a new count and/or until). Absent: the count ends the course.
   *  Beyond the count a session is refused (hard) or accepted with a warning (soft). */
  extensionApprovers?: ApproverRole[];
  strength: Strength;
  source: RuleSource;
}

/** What an obligation counts from, beyond the follow-up anchors: the child's birth (age rules,
 *  needs `childBirthDate` on the grant) and case events that end or change a measure. */
export type ObligationAnchor = Exclude<Anchor, 'previous-follow-up'> | 'birth' | CaseEventType | MilestoneAnchor;

/** Any other dated case event the seed counts from, reported with `case.milestone-reported`
 *  (`milestone:henvendelse`: "senest 14 dage efter henvendelsen"; a release, the start of an
 *  intensive period). The name after `milestone:` is the policy's own slug. */
export type MilestoneAnchor = `milestone:${string}`;

/** The measures of a type an obligation applies to, judged on the obligation's anchor date:
 *  `packages` ("Rød og Gul: altid 3 afklarende samtaler"), an age band (`ageFrom` inclusive,
 *  `ageBefore` exclusive, from the grant's `childBirthDate`: "samtykke fra den unge over 15 år";
 *  without a birth date the case system has not told us the age, and the obligation is not owed,
 *  as age rules are not), or documents the grant lists (`withPrerequisite`). */
export interface ObligationScope {
  packages?: string[];
  ageFrom?: IsoDuration;
  ageBefore?: IsoDuration;
  withPrerequisite?: string;
}

/** Case events a case system sends about the child or family, per affected measure. */
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** What settles an obligation:
 *  - `event`: a `measure.obligation-met` event naming this obligation's kind (a child conversation
 *    held, a transition plan made, a prerequisite document in place...). For a prerequisite the
 *    grant's `prerequisites` list settles it too (`document`).
 *  - `decision`: a decision on the measure (package change, extension or closure), as at a limit.
 *  - `closure`: only the measure's closure (an age limit, a linked end). */
export type ObligationSettlement = { by: 'event'; document?: string } | { by: 'decision' } | { by: 'closure' };

/** A deadline beyond the follow-up chain: contacts with the child, plan reviews, prerequisites,
 *  the end of an intensive period, age rules, linked ends. One-off, or recurring with `every`
 *  (each counted from the previous time it was met, as follow-ups are). */
export interface ObligationRule {
  /** The deadline kind shown, e.g. `child-conversation`, `prerequisite-handleplan`, `aftercare-decision`. */
  kind: string;
  /** Danish label, e.g. "Børnesamtale". */
  name: string;
  after: IsoDuration | DurationRange;
  from: ObligationAnchor;
  every?: IsoDuration | DurationRange;
  /** An age rule whose age was reached before the measure started is due at the start, or this
   *  long after it (a policy-set grace). */
  graceAfterStart?: IsoDuration;
  settledBy: ObligationSettlement;
  /** Only for some measures of the type (a package, an age band, a grant attribute). */
  appliesTo?: ObligationScope;
  /** When reached, the measure must be decided on (forced reassessment): limits and linked ends. */
  forcesDecision?: boolean;
  /** Owed at an event that usually ends the measure (a homecoming plan at the homecoming): the
   *  measure cannot be closed while it is pending, so a closure never cancels it silently. */
  blocksClosure?: boolean;
  strength: Strength;
  source: RuleSource;
}

/** What the provider may deliver per calendar week (Monday to Sunday), month or year, in hours or
 *  appointments ("5-7 aftaler pr uge", "maksimalt 2 timer månedligt"), summed over the
 *  `measure.delivery-reported` events dated in that period. Hard refuses a report that would go
 *  beyond it (409); soft accepts it with a warning. */
export interface DeliveryCap {
  unit: 'hours' | 'appointments';
  max: number;
  per: 'week' | 'month' | 'year';
  /** Only while the measure runs this package (a package's own intensity); absent: always. */
  package?: string;
  strength: Strength;
  source: RuleSource;
}

/** A rhythm that changes after a time: "6-8 uger, efter 6 måneder hver 3. måned". */
export interface FollowUpPhase {
  /** Counted from the start of the measure; follow-ups due after this use `every`. */
  fromAfterStart: IsoDuration;
  every: IsoDuration | DurationRange;
  strength: Strength;
  source: RuleSource;
}

/** `no-progress`: no effect; `not-motivated`: the family is not motivated ("ikke motiverede");
 *  `offer-not-used`: the youth does not use the offer ("ikke benytter tilbuddet"). */
export type CloseReason = (typeof CLOSE_REASONS)[number];

export interface MeasureTypePolicy {
  slug: string;
  name: string;
  /** As written in the seed, e.g. "SEL § 52 stk. 3 nr. 2". */
  legalBasis: string[];
  /** Barnets Lov equivalents, with the catalogue's confidence where not certain. */
  barnetsLov: Array<{ ref: string; confidence: 'high' | 'medium' | 'low' }>;
  /** Empty when the type has no packages; then `measure.granted` carries none. */
  packages: PackagePolicy[];
  /** The Barnets Lov paragraph(s) a measure of this type is granted under (a placement: 46 or 47).
   *  The statutory duties follow from them: BL § 95 for §§ 32, 46, 47, 114-116 and 120
   *  (machines/statutory.ts). Required in the catalogue; absent only in documents stored before it. */
  blParagraphs?: number[];
  /** Superseded by `blParagraphs`: read only for policy versions stored before them. */
  statutoryFollowUp?: boolean;
  /** Null when the measure type has no startup meeting. */
  startupMeeting: TimerRule | null;
  /** The executor's treatment plan, due before the startup meeting (counts from the same anchor). */
  treatmentPlan: TimerRule | null;
  firstFollowUp: TimerRule | null;
  followUp: TimerRule | null;
  followUpValidity: FollowUpValidity | null;
  reassessment: ReassessmentRule | null;
  countLimit: CountLimit | null;
  /** Plain-language rules the machine does not check (who orders, external purchase, ...). */
  notes: Array<{ text: string; source: RuleSource }>;
  /** Norddjurs marks some types "Udgået": kept in the catalogue, cannot be granted. */
  discontinued?: boolean;

  /** Later phases of the follow-up rhythm. */
  followUpPhases?: FollowUpPhase[];
  /** Halsnæs: the next meeting is agreed at every follow-up; an agreed date earlier than the
   *  rhythm's becomes the deadline. */
  nextMeetingAgreed?: { source: RuleSource };
  obligations?: ObligationRule[];
  /** Age limits at grant (needs `childBirthDate`): `max` exclusive ("under 16 år" = P16Y), `min`
   *  inclusive ("fra 12 år" = P12Y). Hard refuses the grant; soft accepts it with a warning. */
  grantAge?: { min?: IsoDuration; max?: IsoDuration; strength: Strength; source: RuleSource };
  /** Caps on what the provider delivers, checked on `measure.delivery-reported`. */
  deliveryCaps?: DeliveryCap[];
  /** Closure reasons the service level forbids: an order is not ended for lack of motivation. */
  closeRestrictions?: Array<{ reasons: CloseReason[]; strength: Strength; source: RuleSource; note: string }>;
  /** Who decides what, as the seed says it (shown, not enforced beyond extension approvers). */
  decisionAuthority?: Array<{ role: string; decides: string; source: RuleSource }>;
  /** Rules of the seed the machine does not check, with why: the coverage report lists them. */
  unenforced?: Array<{ text: string; why: string; source: RuleSource }>;
  /** The ids of the seed catalogue's records this type encodes (docs/seed-catalogue.json). */
  catalogueIds?: string[];
}

export type EscalationRole = (typeof ESCALATION_ROLES)[number];

export interface EscalationStep {
  level: number; // 1, 2, 3
  role: EscalationRole;
  /** Counted from the moment the deadline became overdue. */
  after: IsoDuration;
  source: RuleSource;
}

export interface MunicipalityPolicy {
  municipality: string; // slug: hjorring
  name: string; // Hjørring Kommune
  version: number;
  document: { file: string; title: string };
  escalation: EscalationStep[];
  measureTypes: MeasureTypePolicy[];
  /** How long before its grant a measure may start (ISO-8601, default P1Y): an earlier start is
   *  refused as a typing error. A policy setting, not a seed rule. */
  maxBackdate?: IsoDuration;
}

/** What a running measure carries: its type's rules plus the municipality-wide settings,
 *  pinned to the version it was granted under. */
export interface MeasurePolicy {
  municipality: string;
  version: number;
  escalation: EscalationStep[];
  measureType: MeasureTypePolicy;
}

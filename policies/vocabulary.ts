// The shared words of the domain, each defined once: the plain types (types.ts), the policy
// schema (schema.ts) and the event schemas (api/event-schemas.ts) all derive from these lists.

/** Who took part in a follow-up. */
export const PARTICIPANTS = ['executor', 'parents', 'child', 'network'] as const;

/** Who may approve an extension (`measure.extended`'s `approvedBy`). */
export const APPROVER_ROLES = ['sagsbehandler', 'teamleder', 'afdelingsleder', 'visitationsudvalg'] as const;

/** Who is told at each level of the escalation ladder. */
export const ESCALATION_ROLES = ['sagsbehandler', 'teamleder', 'afdelingsleder'] as const;

/** Why a measure was closed (`measure.closed`'s `reason`), in the seeds' own terms: `no-progress`
 *  (no effect), `not-motivated` ("ikke motiverede"), `offer-not-used` ("ikke benytter tilbuddet"). */
export const CLOSE_REASONS = [
  'goal-reached',
  'no-progress',
  'not-motivated',
  'offer-not-used',
  'placed',
  'moved',
  'aged-out',
  'other',
] as const;

/** What a follow-up decided about the action plan. */
export const ACTION_PLAN_DECISIONS = ['keep', 'revise'] as const;

/** Case events a case system sends about the child or family, per affected measure. */
export const CASE_EVENT_TYPES = ['child.placed', 'child.placement-ended', 'family.moved-away'] as const;

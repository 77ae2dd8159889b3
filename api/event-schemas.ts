// The case-system contract's events (docs/event-contract.md) as zod schemas: the edge,
// where bad input is caught and named by path. Nothing here reaches the workflow bundle.
import { z } from 'zod';
import { isIsoDate } from '../machines/dates';
import { CONTRACT_EVENT_TYPES, type ContractEventType, type EventData } from '../machines/event-catalogue';
import { ACTION_PLAN_DECISIONS, APPROVER_ROLES, CLOSE_REASONS, PARTICIPANTS } from '../policies/vocabulary';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a calendar date YYYY-MM-DD')
  .refine(isIsoDate, 'not a real calendar date');

/** Opaque identifiers: printable, no spaces, bounded. They end up in workflow ids and logs. */
const opaqueId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\-/]*$/, 'expected an opaque identifier (letters, digits, . _ : - /)');

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lowercase ASCII slug');

export const participantSchema = z.enum(PARTICIPANTS);
export const approverRoleSchema = z.enum(APPROVER_ROLES);
export const closeReasonSchema = z.enum(CLOSE_REASONS);

export const grantedData = z.object({
  municipality: slug,
  measureType: slug,
  package: slug.optional(),
  caseId: opaqueId,
  caseworkerId: opaqueId,
  teamId: opaqueId.optional(),
  grantedOn: date,
  startOn: date,
  childBirthDate: date.optional(),
  prerequisites: z.array(slug).optional(),
});

/** Each contract event type's data (machines/event-catalogue.ts): a type without a schema, or a
 *  schema that disagrees with the machine's type, does not compile. */
export const dataSchemas = {
  'measure.granted': grantedData,
  'measure.treatment-plan-received': z.object({ receivedOn: date }),
  'measure.startup-meeting-held': z.object({ heldOn: date }),
  'measure.follow-up-held': z
    .object({
      heldOn: date,
      participants: z.array(participantSchema),
      actionPlanDecision: z.enum(ACTION_PLAN_DECISIONS).optional(),
      nextMeetingOn: date.optional(),
    })
    .refine((d) => d.nextMeetingOn === undefined || d.nextMeetingOn >= d.heldOn, {
      message: 'nextMeetingOn must not be before heldOn',
      path: ['nextMeetingOn'],
    }),
  'measure.session-held': z.object({ heldOn: date }),
  'measure.package-changed': z.object({
    package: slug,
    effectiveOn: date,
    reason: z.string().min(1).max(2000),
    decidedOn: date.optional(),
  }),
  'measure.extended': z
    .object({
      until: date.optional(),
      count: z.number().int().positive().max(1000).optional(),
      approvedBy: approverRoleSchema,
      decidedOn: date.optional(),
    })
    .refine((d) => d.until !== undefined || d.count !== undefined, {
      message: 'an extension names a new until, a new count, or both',
      path: ['until'],
    }),
  'measure.closed': z.object({ closedOn: date, reason: closeReasonSchema }),
  'measure.obligation-met': z.object({ obligation: slug, metOn: date }),
  'measure.delivery-reported': z
    .object({
      deliveredOn: date,
      hours: z.number().positive().max(24).multipleOf(0.25).optional(),
      appointments: z.number().int().positive().max(50).optional(),
    })
    .refine((d) => d.hours !== undefined || d.appointments !== undefined, {
      message: 'a delivery names hours, appointments, or both',
      path: ['hours'],
    }),
  'case.milestone-reported': z.object({ milestone: slug, occurredOn: date }),
  'child.placed': z.object({ placedOn: date }),
  'child.placement-ended': z.object({ endedOn: date }),
  'family.moved-away': z.object({ movedOn: date }),
} as const satisfies { [K in ContractEventType]: z.ZodType<EventData[K]> };

export type EventType = ContractEventType;

export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(256),
  type: z.enum(CONTRACT_EVENT_TYPES),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: opaqueId,
  datacontenttype: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

export type Envelope = z.infer<typeof envelopeSchema>;

/** For the OpenAPI document: one event, or a batch of them. */

export interface ValidationIssue {
  path: string;
  message: string;
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

export function issuesOf(err: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ValidationIssue[] {
  return err.issues.map((i) => ({ path: pathOf([...prefix, ...i.path]) || '(body)', message: i.message }));
}

export type ParsedEvent = {
  [K in EventType]: Envelope & { type: K; data: z.infer<(typeof dataSchemas)[K]> };
}[EventType];

/** Validates the envelope, then the data against its type's schema. */
export function parseEvent(
  input: unknown,
): { ok: true; event: ParsedEvent } | { ok: false; issues: ValidationIssue[] } {
  const env = envelopeSchema.safeParse(input);
  if (!env.success) return { ok: false, issues: issuesOf(env.error) };
  const data = dataSchemas[env.data.type].safeParse(env.data.data);
  if (!data.success) return { ok: false, issues: issuesOf(data.error, ['data']) };
  return { ok: true, event: { ...env.data, data: data.data } as ParsedEvent };
}

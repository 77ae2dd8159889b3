// The case-system contract's events (docs/event-contract.md) as zod schemas: the edge,
// where bad input is caught and named by path. Nothing here reaches the workflow bundle.
import { z } from 'zod';
import { isIsoDate } from '../machines/dates';
import { CONTRACT_EVENT_TYPES, type ContractEventType, type EventData } from '../machines/event-catalogue';
import { ACTION_PLAN_DECISIONS, APPROVER_ROLES, CLOSE_REASONS, PARTICIPANTS } from '../policies/vocabulary';

/** The sane window for any date an event carries: a date outside it is a typing error, and
 *  deadlines derived from it would leave what the calendar and the database can represent. */
export const DATE_WINDOW = { from: '1900-01-01', to: '2200-12-31' } as const;

const inWindow = (d: string) => d >= DATE_WINDOW.from && d <= DATE_WINDOW.to;

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a calendar date YYYY-MM-DD')
  .refine(isIsoDate, 'not a real calendar date')
  .refine(inWindow, `outside the accepted window ${DATE_WINDOW.from} to ${DATE_WINDOW.to}`);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Printable text: no control characters, no lone surrogates. Idempotency keys end up in update
 *  ids, logs and SQL parameters. */
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed')
    .refine((s) => !LONE_SURROGATE.test(s), 'not well-formed Unicode (a lone surrogate)');

/** Free text the case system writes (a reason): lines and tabs, but no other control character
 *  and no lone surrogate; it is kept in the measure's history. */
const freeText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'control characters are not allowed')
    .refine((s) => !LONE_SURROGATE.test(s), 'not well-formed Unicode (a lone surrogate)');

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

export const grantedData = z
  .object({
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
  })
  .superRefine((g, ctx) => {
    if (g.childBirthDate !== undefined && g.childBirthDate > g.grantedOn)
      ctx.addIssue({
        code: 'custom',
        path: ['childBirthDate'],
        message: `the child's birth date is after the grant (${g.grantedOn})`,
      });
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
    reason: freeText(2000),
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
  id: printable(256),
  source: printable(256),
  type: z.enum(CONTRACT_EVENT_TYPES),
  time: z.iso
    .datetime({ offset: true })
    .refine(
      // Checks run on after a failed format check too: an unparsable time is not ours to judge here.
      (t) => !Number.isFinite(Date.parse(t)) || inWindow(new Date(Date.parse(t)).toISOString().slice(0, 10)),
      `outside the accepted window ${DATE_WINDOW.from} to ${DATE_WINDOW.to}`,
    )
    .optional(),
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

// zod 4 schemas mirroring policies/types.ts exactly. types.ts is the contract; this file validates
// catalogue files (policies/*.json) and administrator edits against it. The compile-time checks at
// the bottom fail `tsc` if the two drift apart.

import { z } from 'zod';
import type {
  Anchor,
  ApproverRole,
  CountLimit,
  DurationRange,
  EscalationStep,
  FollowUpValidity,
  IsoDuration,
  MeasurePolicy,
  MeasureTypePolicy,
  MunicipalityPolicy,
  PackagePolicy,
  Participant,
  ReassessmentRule,
  RuleSource,
  Strength,
  TimerRule,
} from './types';
import { APPROVER_ROLES, CASE_EVENT_TYPES, CLOSE_REASONS, ESCALATION_ROLES, PARTICIPANTS } from './vocabulary';

/** ISO-8601 duration with calendar parts (P#Y#M#W#D) and/or time parts (T#H#M#S); at least one part,
 *  so "P", "PT" and "P1DT" are rejected. Integers only. */
export const ISO_DURATION_RE =
  /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;

/** Lowercase ASCII slug (æ→ae, ø→oe, å→aa), as in docs/event-contract.md. */
const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Seed line references: "94", "94-99", "101,121-122". */
const LINES_RE = /^\d+(?:-\d+)?(?:,\s*\d+(?:-\d+)?)*$/;

const slugSchema = z.string().regex(SLUG_RE, { error: 'must be a lowercase ASCII slug like "familiebehandling"' });

export const isoDurationSchema = z.string().regex(ISO_DURATION_RE, {
  error: 'must be an ISO-8601 duration such as P4W, P3M, P1Y6M, P0D or PT48H',
});

export const durationRangeSchema = z.strictObject({
  min: isoDurationSchema,
  max: isoDurationSchema,
});

const coversSchema = z
  .array(
    z
      .string()
      .regex(/^[a-z0-9-]+:[a-z_.]+(\[\d+\])?$/, { error: 'must be a catalogue entry id like "hjo-pps:timers[3]"' }),
  )
  .optional();

export const ruleSourceSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('seed'),
      document: z.string().min(1),
      lines: z
        .string()
        .regex(LINES_RE, { error: 'must be line numbers like "94-99" or "101,121-122"' })
        .refine(
          (s) =>
            s.split(',').every((part) => {
              const [a, b] = part.trim().split('-').map(Number);
              return a >= 1 && (b === undefined || b >= a);
            }),
          { error: 'line ranges must start at 1 or later and run forwards' },
        ),
      quote: z.string().min(1).optional(),
      note: z.string().min(1).optional(),
      covers: coversSchema,
    }),
    z.strictObject({
      kind: z.literal('statute'),
      paragraph: z.string().min(1),
      note: z.string().min(1).optional(),
      covers: coversSchema,
    }),
    z.strictObject({
      kind: z.literal('policy-setting'),
      note: z.string().min(1),
      covers: coversSchema,
    }),
  ],
  {
    error: (iss) =>
      iss.input === undefined
        ? "required: every rule needs a source with kind 'seed', 'statute' or 'policy-setting'"
        : "must be a source with kind 'seed', 'statute' or 'policy-setting'",
  },
);

export const anchorSchema = z.enum(['start', 'granted', 'startup-meeting', 'previous-follow-up', 'period-start']);

export const strengthSchema = z.enum(['hard', 'soft']);

const timerRuleShape = {
  after: z.union([isoDurationSchema, durationRangeSchema]),
  from: anchorSchema,
  strength: strengthSchema,
  source: ruleSourceSchema,
};

export const timerRuleSchema = z.strictObject(timerRuleShape);

export const participantSchema = z.enum(PARTICIPANTS);

export const followUpValiditySchema = z.strictObject({
  requiredParticipants: z.array(participantSchema),
  requiresActionPlanDecision: z.boolean(),
  source: ruleSourceSchema,
});

export const packagePolicySchema = z.strictObject({
  slug: slugSchema,
  name: z.string().min(1),
  appointments: z
    .strictObject({
      min: z.number().nonnegative(),
      max: z.number().nonnegative(),
      per: z.enum(['week', 'month']),
    })
    .refine((a) => a.min <= a.max, { error: 'appointments.min must not exceed appointments.max', path: ['min'] })
    .optional(),
  weekend: z.enum(['often', 'no', 'sometimes']).optional(),
  stepDown: z.boolean().optional(),
  source: ruleSourceSchema,
});

export const approverRoleSchema = z.enum(APPROVER_ROLES);

export const reassessmentRuleSchema = z
  .strictObject({
    ...timerRuleShape,
    outcomes: z.array(z.enum(['close', 'smaller-package', 'larger-package', 'extend'])).min(1),
    extensionApprovers: z.array(approverRoleSchema),
    maxExtendedTo: isoDurationSchema.optional(),
    maxExtendedToStrength: strengthSchema.optional(),
    extensionStep: isoDurationSchema.optional(),
  })
  .superRefine((r, ctx) => {
    const allowsExtend = r.outcomes.includes('extend');
    if (allowsExtend && r.extensionApprovers.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['extensionApprovers'],
        message: "outcome 'extend' needs at least one extension approver",
      });
    }
    if (!allowsExtend && r.extensionApprovers.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['outcomes'],
        message: "extensionApprovers are set but 'extend' is not among the outcomes",
      });
    }
    if (!allowsExtend && r.maxExtendedTo !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxExtendedTo'],
        message: "maxExtendedTo is set but 'extend' is not among the outcomes",
      });
    }
  });

export const countLimitSchema = z.strictObject({
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive(),
  unit: z.string().min(1),
  within: isoDurationSchema.optional(),
  extensionApprovers: z.array(approverRoleSchema).min(1).optional(),
  strength: strengthSchema,
  source: ruleSourceSchema,
});

/** Flags every item whose key an earlier item already has, at the later item's path. */
function reportDuplicates<T, K extends keyof T & string>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  list: string,
  key: K,
  what: string,
): void {
  const first = new Map<unknown, number>();
  items.forEach((item, i) => {
    const at = first.get(item[key]);
    if (at === undefined) first.set(item[key], i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [list, i, key],
        message: `duplicate ${what} "${String(item[key])}" (also ${list}[${at}])`,
      });
  });
}

const afterSchema = z.union([isoDurationSchema, durationRangeSchema]);

export const caseEventTypeSchema = z.enum(CASE_EVENT_TYPES);
export const closeReasonSchema = z.enum(CLOSE_REASONS);

export const obligationRuleSchema = z
  .strictObject({
    kind: slugSchema,
    name: z.string().min(1),
    after: afterSchema,
    from: z.union([
      z.enum(['start', 'granted', 'startup-meeting', 'period-start', 'birth']),
      caseEventTypeSchema,
      z.templateLiteral(['milestone:', z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)]),
    ]),
    every: afterSchema.optional(),
    graceAfterStart: isoDurationSchema.optional(),
    settledBy: z.discriminatedUnion('by', [
      z.strictObject({ by: z.literal('event'), document: slugSchema.optional() }),
      z.strictObject({ by: z.literal('decision') }),
      z.strictObject({ by: z.literal('closure') }),
    ]),
    appliesTo: z
      .strictObject({
        packages: z.array(slugSchema).min(1).optional(),
        ageFrom: isoDurationSchema.optional(),
        ageBefore: isoDurationSchema.optional(),
        withPrerequisite: slugSchema.optional(),
      })
      .optional(),
    forcesDecision: z.boolean().optional(),
    blocksClosure: z.boolean().optional(),
    strength: strengthSchema,
    source: ruleSourceSchema,
  })
  .refine((o) => !(o.every && o.settledBy.by !== 'event'), {
    error: 'a recurring obligation (every) must be settled by events',
    path: ['every'],
  });

export const followUpPhaseSchema = z.strictObject({
  fromAfterStart: isoDurationSchema,
  every: afterSchema,
  strength: strengthSchema,
  source: ruleSourceSchema,
});

export const measureTypePolicySchema = z
  .strictObject({
    slug: slugSchema,
    name: z.string().min(1),
    legalBasis: z.array(z.string().min(1)),
    barnetsLov: z.array(
      z.strictObject({
        ref: z.string().min(1),
        confidence: z.enum(['high', 'medium', 'low']),
      }),
    ),
    blParagraphs: z.array(z.number().int().positive()).optional(),
    packages: z.array(packagePolicySchema),
    statutoryFollowUp: z.boolean().optional(),
    startupMeeting: timerRuleSchema.nullable(),
    treatmentPlan: timerRuleSchema.nullable(),
    firstFollowUp: timerRuleSchema.nullable(),
    followUp: timerRuleSchema.nullable(),
    followUpValidity: followUpValiditySchema.nullable(),
    reassessment: reassessmentRuleSchema.nullable(),
    countLimit: countLimitSchema.nullable(),
    notes: z.array(
      z.strictObject({
        text: z.string().min(1),
        source: ruleSourceSchema,
      }),
    ),
    discontinued: z.boolean().optional(),
    followUpPhases: z.array(followUpPhaseSchema).optional(),
    nextMeetingAgreed: z.strictObject({ source: ruleSourceSchema }).optional(),
    obligations: z.array(obligationRuleSchema).optional(),
    grantAge: z
      .strictObject({
        min: isoDurationSchema.optional(),
        max: isoDurationSchema.optional(),
        strength: strengthSchema,
        source: ruleSourceSchema,
      })
      .optional(),
    deliveryCaps: z
      .array(
        z.strictObject({
          unit: z.enum(['hours', 'appointments']),
          max: z.number().positive(),
          per: z.enum(['week', 'month', 'year']),
          package: slugSchema.optional(),
          strength: strengthSchema,
          source: ruleSourceSchema,
        }),
      )
      .optional(),
    closeRestrictions: z
      .array(
        z.strictObject({
          reasons: z.array(closeReasonSchema).min(1),
          strength: strengthSchema,
          source: ruleSourceSchema,
          note: z.string().min(1),
        }),
      )
      .optional(),
    decisionAuthority: z
      .array(z.strictObject({ role: z.string().min(1), decides: z.string().min(1), source: ruleSourceSchema }))
      .optional(),
    unenforced: z
      .array(z.strictObject({ text: z.string().min(1), why: z.string().min(1), source: ruleSourceSchema }))
      .optional(),
    catalogueIds: z.array(z.string().min(1)).optional(),
  })
  .superRefine((m, ctx) => {
    reportDuplicates(ctx, m.obligations ?? [], 'obligations', 'kind', 'obligation kind');
    reportDuplicates(ctx, m.packages, 'packages', 'slug', 'package slug');
    (m.deliveryCaps ?? []).forEach((c, i) => {
      if (c.package && !m.packages.some((p) => p.slug === c.package))
        ctx.addIssue({
          code: 'custom',
          path: ['deliveryCaps', i, 'package'],
          message: `unknown package "${c.package}"`,
        });
    });
  });

export const escalationStepSchema = z.strictObject({
  level: z.number().int().positive(),
  role: z.enum(ESCALATION_ROLES),
  after: isoDurationSchema,
  source: ruleSourceSchema,
});

export const municipalityPolicySchema = z
  .strictObject({
    municipality: slugSchema,
    name: z.string().min(1),
    version: z.number().int().positive(),
    document: z.strictObject({
      file: z.string().min(1),
      title: z.string().min(1),
    }),
    escalation: z.array(escalationStepSchema),
    measureTypes: z.array(measureTypePolicySchema),
    maxBackdate: isoDurationSchema.optional(),
  })
  .superRefine((p, ctx) => {
    reportDuplicates(ctx, p.measureTypes, 'measureTypes', 'slug', 'measure-type slug');
    p.escalation.forEach((step, i) => {
      if (step.level !== i + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', i, 'level'],
          message: `escalation levels must run 1..${p.escalation.length} in ascending order; expected ${i + 1}, got ${step.level}`,
        });
      }
    });
  });

export const measurePolicySchema = z.strictObject({
  municipality: slugSchema,
  version: z.number().int().positive(),
  escalation: z.array(escalationStepSchema),
  measureType: measureTypePolicySchema,
});

// ---------------------------------------------------------------------------------------------
// Readable errors

export interface PolicyIssue {
  path: string;
  message: string;
}

export class PolicyValidationError extends Error {
  readonly issues: PolicyIssue[];
  constructor(issues: PolicyIssue[], label = 'municipality policy') {
    super(`Invalid ${label}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

/** ["measureTypes", 0, "packages", 1, "slug"] -> "measureTypes[0].packages[1].slug" */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

type AnyIssue = z.core.$ZodIssue;

/** Flatten zod issues; for a failed union whose input matched exactly one branch's shape
 *  (e.g. a string given where "duration or {min,max}" is expected), report that branch's issues. */
function flattenIssue(issue: AnyIssue, base: PropertyKey[]): PolicyIssue[] {
  const here = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && Array.isArray(issue.errors) && issue.errors.length > 0) {
    const plausible = issue.errors.filter(
      (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
    );
    if (plausible.length === 1) return plausible[0].flatMap((i) => flattenIssue(i, here));
  }
  if (issue.code === 'unrecognized_keys') {
    return [{ path: formatPath(here), message: `unknown key(s): ${issue.keys.join(', ')}` }];
  }
  return [{ path: formatPath(here), message: issue.message }];
}

export function policyIssues(error: z.ZodError): PolicyIssue[] {
  return error.issues.flatMap((i) => flattenIssue(i, []));
}

/** Validate a catalogue file or an administrator edit. Throws PolicyValidationError listing every
 *  offending path. */
export function parseMunicipalityPolicy(data: unknown): MunicipalityPolicy {
  const result = municipalityPolicySchema.safeParse(data);
  if (!result.success) throw new PolicyValidationError(policyIssues(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Compile-time checks: each schema's inferred type and the plain type in types.ts must be
// assignable to each other. A drift makes `tsc` fail on the line that names the type.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type _SchemaMatchesTypes = [
  Assert<Same<z.infer<typeof isoDurationSchema>, IsoDuration>>,
  Assert<Same<z.infer<typeof durationRangeSchema>, DurationRange>>,
  Assert<Same<z.infer<typeof ruleSourceSchema>, RuleSource>>,
  Assert<Same<z.infer<typeof anchorSchema>, Anchor>>,
  Assert<Same<z.infer<typeof strengthSchema>, Strength>>,
  Assert<Same<z.infer<typeof timerRuleSchema>, TimerRule>>,
  Assert<Same<z.infer<typeof participantSchema>, Participant>>,
  Assert<Same<z.infer<typeof followUpValiditySchema>, FollowUpValidity>>,
  Assert<Same<z.infer<typeof packagePolicySchema>, PackagePolicy>>,
  Assert<Same<z.infer<typeof approverRoleSchema>, ApproverRole>>,
  Assert<Same<z.infer<typeof reassessmentRuleSchema>, ReassessmentRule>>,
  Assert<Same<z.infer<typeof countLimitSchema>, CountLimit>>,
  Assert<Same<z.infer<typeof measureTypePolicySchema>, MeasureTypePolicy>>,
  Assert<Same<z.infer<typeof escalationStepSchema>, EscalationStep>>,
  Assert<Same<z.infer<typeof municipalityPolicySchema>, MunicipalityPolicy>>,
  Assert<Same<z.infer<typeof measurePolicySchema>, MeasurePolicy>>,
];

// The same check as values, for the two types the brief names explicitly.
const _inferToType = (x: z.infer<typeof municipalityPolicySchema>): MunicipalityPolicy => x;
const _typeToInfer = (x: MunicipalityPolicy): z.infer<typeof municipalityPolicySchema> => x;
void _inferToType;
void _typeToInfer;

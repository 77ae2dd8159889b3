// The catalogue as case systems and administrators read it: every measure type with its slugs,
// legal basis (as written and in Barnets Lov), packages and timers in plain words.
import { z } from 'zod';
import { paragraphsOf, statutoryFirstFollowUp } from '../machines/statutory';
import { timersOf } from '../policies/describe';
import type { MunicipalityPolicy } from '../policies/types';
import { ruleSource } from './schemas';

export function catalogueView(m: MunicipalityPolicy) {
  return {
    municipality: m.municipality,
    name: m.name,
    version: m.version,
    document: m.document,
    escalation: m.escalation,
    measureTypes: m.measureTypes.map((t) => ({
      slug: t.slug,
      name: t.name,
      legalBasis: t.legalBasis,
      barnetsLov: t.barnetsLov,
      blParagraphs: [...paragraphsOf(t)],
      statutoryFollowUp: statutoryFirstFollowUp(t)?.source ?? null,
      discontinued: t.discontinued ?? false,
      packages: t.packages,
      timers: timersOf(t),
      followUpValidity: t.followUpValidity,
      notes: t.notes,
    })),
  };
}

/** The answer's shape: catalogueView's. */
export const catalogueAnswer = z.object({
  municipality: z.string(),
  name: z.string(),
  version: z.number().int(),
  document: z.object({ file: z.string(), title: z.string() }),
  escalation: z.array(
    z.object({
      level: z.number().int(),
      role: z.string(),
      after: z.string().describe('ISO-8601, counted from when the deadline became overdue'),
      source: ruleSource,
    }),
  ),
  measureTypes: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      legalBasis: z.array(z.string()),
      barnetsLov: z.array(z.object({ ref: z.string(), confidence: z.string() })),
      blParagraphs: z
        .array(z.number().int())
        .describe('The Barnets Lov paragraphs the type is granted under; the statutory duties follow from them'),
      statutoryFollowUp: ruleSource
        .nullable()
        .describe('Barnets Lov § 95: the first follow-up within 3 months, where the paragraphs fall under it'),
      discontinued: z.boolean(),
      packages: z.array(
        z.object({
          slug: z.string(),
          name: z.string(),
          appointments: z.object({ min: z.number(), max: z.number(), per: z.string() }).optional(),
          weekend: z.string().optional(),
          stepDown: z.boolean().optional(),
          source: ruleSource,
        }),
      ),
      timers: z.array(
        z.object({
          timer: z.string(),
          rule: z.string().describe('The rule in words'),
          source: ruleSource,
          sourceText: z.string(),
        }),
      ),
      followUpValidity: z
        .object({
          requiredParticipants: z.array(z.string()),
          requiresActionPlanDecision: z.boolean(),
          source: ruleSource,
        })
        .nullable()
        .optional(),
      notes: z.array(z.object({ text: z.string(), source: ruleSource })).optional(),
    }),
  ),
});

// The catalogue as case systems and administrators read it: every measure type with its slugs,
// legal basis (as written and in Barnets Lov), packages and timers in plain words.
import { paragraphsOf, statutoryFirstFollowUp } from '../machines/statutory';
import { timersOf } from '../policies/describe';
import type { MunicipalityPolicy } from '../policies/types';

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
      blParagraphs: paragraphsOf(t),
      statutoryFollowUp: statutoryFirstFollowUp(t)?.source ?? null,
      discontinued: t.discontinued ?? false,
      packages: t.packages,
      timers: timersOf(t),
      followUpValidity: t.followUpValidity,
      notes: t.notes,
    })),
  };
}

// Where the API finds the policy a measure is granted under: the version in force on a date.
// In the service that is PostgreSQL (policies/store.ts), seeded with the catalogue files (version 1
// of each municipality) plus any extra policies a caller supplies (tests).
import { loadCatalogue } from './catalogue';
import type { MeasurePolicy, MeasureTypePolicy, MunicipalityPolicy } from './types';

export interface PolicySource {
  /** Every municipality at the version in force on `on` (a Danish date; today when omitted). */
  municipalities(on?: string): Promise<MunicipalityPolicy[]>;
  municipality(slug: string, on?: string): Promise<MunicipalityPolicy | undefined>;
}

/** The catalogue files (and extras) as they are: what the policy store seeds as version 1. */
export function catalogueSource(extra: MunicipalityPolicy[] = []): PolicySource {
  const all = new Map(loadCatalogue());
  for (const m of extra) all.set(m.municipality, m);
  return {
    municipalities: async () => [...all.values()],
    municipality: async (slug) => all.get(slug),
  };
}

export function measurePolicyOf(m: MunicipalityPolicy, t: MeasureTypePolicy): MeasurePolicy {
  return { municipality: m.municipality, version: m.version, escalation: m.escalation, measureType: t };
}

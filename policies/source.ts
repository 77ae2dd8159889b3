// Where the API finds the policy a measure is granted under. Today: the catalogue files
// (version 1 of each municipality) plus any extra policies a caller supplies (tests).
import { loadCatalogue } from './catalogue';
import type { MeasurePolicy, MeasureTypePolicy, MunicipalityPolicy } from './types';

export interface PolicySource {
  municipalities(): MunicipalityPolicy[];
  municipality(slug: string): MunicipalityPolicy | undefined;
}

export function catalogueSource(extra: MunicipalityPolicy[] = []): PolicySource {
  const all = new Map(loadCatalogue());
  for (const m of extra) all.set(m.municipality, m);
  return {
    municipalities: () => [...all.values()],
    municipality: (slug) => all.get(slug),
  };
}

export function measurePolicyOf(m: MunicipalityPolicy, t: MeasureTypePolicy): MeasurePolicy {
  return { municipality: m.municipality, version: m.version, escalation: m.escalation, measureType: t };
}

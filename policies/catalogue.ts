// The municipal catalogue: every policies/*.json file, validated against policies/schema.ts.
// Add a municipality by adding a JSON file beside this one.

import fs from 'node:fs';
import path from 'node:path';
import { parseMunicipalityPolicy } from './schema';
import type { MeasurePolicy, MunicipalityPolicy } from './types';

const POLICY_DIR = __dirname;

let cached: Map<string, MunicipalityPolicy> | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Read and validate every *.json in `dir` (not cached). Throws, naming the file and the
 *  offending paths, if a file is unreadable, invalid, or repeats a municipality slug. */
export function loadCatalogueFrom(dir: string): Map<string, MunicipalityPolicy> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .sort();
  const catalogue = new Map<string, MunicipalityPolicy>();
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const full = path.join(dir, file);
    let policy: MunicipalityPolicy;
    try {
      policy = parseMunicipalityPolicy(JSON.parse(fs.readFileSync(full, 'utf8')));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`policies/${file}: ${message}`, { cause: err });
    }
    const earlier = fileOf.get(policy.municipality);
    if (earlier !== undefined) {
      throw new Error(`policies/${file}: municipality "${policy.municipality}" is already defined in policies/${earlier}`);
    }
    fileOf.set(policy.municipality, file);
    catalogue.set(policy.municipality, deepFreeze(policy));
  }
  return catalogue;
}

/** Every municipality's policy by slug, loaded once from policies/*.json. The objects are frozen. */
export function loadCatalogue(): Map<string, MunicipalityPolicy> {
  if (!cached) cached = loadCatalogueFrom(POLICY_DIR);
  return cached;
}

export function getMunicipality(slug: string): MunicipalityPolicy | undefined {
  return loadCatalogue().get(slug);
}

/** The rules a running measure carries: its type's policy plus the municipality-wide settings,
 *  pinned to the catalogue version. Undefined when the municipality or the measure type is unknown. */
export function resolveMeasurePolicy(municipality: string, measureType: string): MeasurePolicy | undefined {
  const policy = getMunicipality(municipality);
  if (!policy) return undefined;
  const type = policy.measureTypes.find((m) => m.slug === measureType);
  if (!type) return undefined;
  return {
    municipality: policy.municipality,
    version: policy.version,
    escalation: policy.escalation,
    measureType: type,
  };
}

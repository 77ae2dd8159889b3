// The municipal catalogue: every municipality's JSON file, validated against policies/schema.ts.
// Add a municipality by adding a JSON file beside this one and naming it in FILES. The files are
// imported as modules (no file system here: the core stays free of Node built-ins).
import allerod from './allerod.json';
import haderslev from './haderslev.json';
import halsnaes from './halsnaes.json';
import hjorring from './hjorring.json';
import norddjurs from './norddjurs.json';
import { parseMunicipalityPolicy } from './schema';
import type { MeasurePolicy, MunicipalityPolicy } from './types';

/** Each catalogue file by name, in name order. */
const FILES: ReadonlyArray<readonly [string, unknown]> = [
  ['allerod.json', allerod],
  ['haderslev.json', haderslev],
  ['halsnaes.json', halsnaes],
  ['hjorring.json', hjorring],
  ['norddjurs.json', norddjurs],
];

let cached: Map<string, MunicipalityPolicy> | undefined;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Validates every catalogue file (not cached). Throws, naming the file and the offending paths,
 *  if a file is invalid or repeats a municipality slug. */
function validateCatalogue(files: ReadonlyArray<readonly [string, unknown]>): Map<string, MunicipalityPolicy> {
  const catalogue = new Map<string, MunicipalityPolicy>();
  const fileOf = new Map<string, string>();
  for (const [file, data] of files) {
    let policy: MunicipalityPolicy;
    try {
      // A copy: the module's object is shared, and the catalogue's is frozen.
      policy = parseMunicipalityPolicy(structuredClone(data));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`policies/${file}: ${message}`, { cause: err });
    }
    const earlier = fileOf.get(policy.municipality);
    if (earlier !== undefined) {
      throw new Error(
        `policies/${file}: municipality "${policy.municipality}" is already defined in policies/${earlier}`,
      );
    }
    fileOf.set(policy.municipality, file);
    catalogue.set(policy.municipality, deepFreeze(policy));
  }
  return catalogue;
}

/** Every municipality's policy by slug, validated once. The objects are frozen. */
export function loadCatalogue(): Map<string, MunicipalityPolicy> {
  if (!cached) cached = validateCatalogue(FILES);
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

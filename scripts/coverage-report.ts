// The coverage report over the seed catalogue as extracted in docs/seed-catalogue.json
// (SEED_CATALOGUE overrides where it is): the file is read here, the report is pure
// (policies/coverage.ts).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { coverageOf, type CatalogueRecord, type CoverageRow } from '../policies/coverage';

export const CATALOGUE_FILE = resolve(
  process.env.SEED_CATALOGUE ?? join(__dirname, '..', 'docs', 'seed-catalogue.json'),
);

export function coverage(): CoverageRow[] {
  return coverageOf(JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as CatalogueRecord[]);
}

// Versioned policies. Every change is a new, immutable version (author, reason, time,
// effectiveFrom); the catalogue files are version 1, seeded on start. The version in force on a
// date is the highest version effective on or before it; effective dates never go backwards, so a
// later version always includes every earlier one. The rows live in PostgreSQL
// (db/repositories/policy-versions.ts); this is what the rest of the service reads them through.
import { dateOf, type IsoDate } from '../machines/dates';
import type { PolicySource } from './source';
import type { MunicipalityPolicy } from './types';

/** The seed's effective date: in force for every measure, whenever it was granted. */
export const SEED_EFFECTIVE_FROM = '1900-01-01';

export interface PolicyVersionRow {
  municipality: string;
  version: number;
  effectiveFrom: IsoDate;
  author: string;
  reason: string;
  createdAt: string;
  change: PolicyChangeSummary | null;
  changedTypes: string[];
}

/** What a version changed, as recorded with it. */
export interface PolicyChangeSummary {
  kind: 'timer' | 'document' | 'rollback';
  /** Human words: "familiebehandling first-follow-up P4W → P6W". */
  summary: string;
  changes: Array<{ path: string; from: unknown; to: unknown }>;
  rollbackTo?: number;
}

export interface NewVersion {
  municipality: string;
  document: MunicipalityPolicy;
  effectiveFrom: IsoDate;
  author: string;
  reason: string;
  change: PolicyChangeSummary;
  changedTypes: string[];
  /** Refuse when the latest version is no longer this one (someone else changed the policy). */
  baseVersion?: number;
}

export class PolicyConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyConflict';
  }
}

/** Where the versions are kept. */
export interface PolicyVersionRepo {
  seed(m: MunicipalityPolicy): Promise<boolean>;
  municipalities(): Promise<string[]>;
  versionInForce(municipality: string, on: IsoDate): Promise<number | undefined>;
  latest(municipality: string): Promise<PolicyVersionRow | undefined>;
  version(municipality: string, version: number): Promise<PolicyVersionRow | undefined>;
  versions(municipality: string): Promise<PolicyVersionRow[]>;
  document(municipality: string, version: number): Promise<MunicipalityPolicy | undefined>;
}

export class PolicyStore {
  /** Versions are immutable: a document once read is cached for good. */
  private readonly docs = new Map<string, MunicipalityPolicy>();

  constructor(private readonly repo: PolicyVersionRepo) {}

  /** Version 1 of each municipality from its catalogue file, once: a restart inserts nothing. */
  async seed(catalogue: MunicipalityPolicy[]): Promise<string[]> {
    const seeded: string[] = [];
    for (const m of catalogue) if (await this.repo.seed(m)) seeded.push(m.municipality);
    return seeded;
  }

  municipalities(): Promise<string[]> {
    return this.repo.municipalities();
  }

  /** The version in force on a Danish date (today by default). */
  async inForce(municipality: string, on: IsoDate = dateOf(Date.now())): Promise<MunicipalityPolicy | undefined> {
    const v = await this.repo.versionInForce(municipality, on);
    return v == null ? undefined : this.document(municipality, v);
  }

  latest(municipality: string): Promise<PolicyVersionRow | undefined> {
    return this.repo.latest(municipality);
  }

  version(municipality: string, version: number): Promise<PolicyVersionRow | undefined> {
    return this.repo.version(municipality, version);
  }

  versions(municipality: string): Promise<PolicyVersionRow[]> {
    return this.repo.versions(municipality);
  }

  async document(municipality: string, version: number): Promise<MunicipalityPolicy | undefined> {
    const key = `${municipality}@${version}`;
    const hit = this.docs.get(key);
    if (hit) return hit;
    const doc = await this.repo.document(municipality, version);
    if (doc) this.docs.set(key, doc);
    return doc;
  }

  /** The PolicySource the event intake grants measures under: the version in force today. */
  source(): PolicySource {
    return {
      municipalities: async (on) => {
        const all = await Promise.all((await this.municipalities()).map((m) => this.inForce(m, on)));
        return all.filter((m): m is MunicipalityPolicy => m !== undefined);
      },
      municipality: (slug, on) => this.inForce(slug, on),
    };
  }
}

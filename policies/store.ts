// Versioned policies in PostgreSQL. Every change is a new, immutable version (author, reason,
// time, effectiveFrom); the catalogue files are version 1, seeded on start. The version in force
// on a date is the highest version effective on or before it; effective dates never go backwards,
// so a later version always includes every earlier one.
import type { Pool, PoolClient } from 'pg';
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

const LOCK_BASE = 72_614_100;

const toRow = (r: any): PolicyVersionRow => ({
  municipality: r.municipality,
  version: r.version,
  effectiveFrom: r.effective_from,
  author: r.author,
  reason: r.reason,
  createdAt: r.created_at.toISOString(),
  change: r.change,
  changedTypes: r.changed_types,
});

export class PolicyStore {
  /** Versions are immutable: a document once read is cached for good. */
  private readonly docs = new Map<string, MunicipalityPolicy>();

  constructor(private readonly pool: Pool) {}

  /** Version 1 of each municipality from its catalogue file, once: a restart inserts nothing. */
  async seed(catalogue: MunicipalityPolicy[]): Promise<string[]> {
    const seeded: string[] = [];
    for (const m of catalogue) {
      const r = await this.pool.query(
        `INSERT INTO policy_versions (municipality, version, effective_from, author, reason, document)
         SELECT $1, $2, $3, 'catalogue', $4, $5
          WHERE NOT EXISTS (SELECT 1 FROM policy_versions WHERE municipality = $1)
         ON CONFLICT DO NOTHING`,
        [m.municipality, m.version, SEED_EFFECTIVE_FROM, `seeded from the catalogue (${m.document.file})`, JSON.stringify(m)],
      );
      if (r.rowCount === 1) seeded.push(m.municipality);
    }
    return seeded;
  }

  async municipalities(): Promise<string[]> {
    const r = await this.pool.query<{ municipality: string }>('SELECT DISTINCT municipality FROM policy_versions ORDER BY municipality');
    return r.rows.map((x) => x.municipality);
  }

  /** The version in force on a Danish date (today by default). */
  async inForce(municipality: string, on: IsoDate = dateOf(Date.now())): Promise<MunicipalityPolicy | undefined> {
    const r = await this.pool.query<{ version: number }>(
      'SELECT max(version) AS version FROM policy_versions WHERE municipality = $1 AND effective_from <= $2',
      [municipality, on],
    );
    const v = r.rows[0]?.version;
    return v == null ? undefined : this.document(municipality, v);
  }

  async latest(municipality: string): Promise<PolicyVersionRow | undefined> {
    const r = await this.pool.query('SELECT * FROM policy_versions WHERE municipality = $1 ORDER BY version DESC LIMIT 1', [municipality]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async version(municipality: string, version: number): Promise<PolicyVersionRow | undefined> {
    const r = await this.pool.query('SELECT * FROM policy_versions WHERE municipality = $1 AND version = $2', [municipality, version]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async versions(municipality: string): Promise<PolicyVersionRow[]> {
    const r = await this.pool.query('SELECT * FROM policy_versions WHERE municipality = $1 ORDER BY version', [municipality]);
    return r.rows.map(toRow);
  }

  async document(municipality: string, version: number): Promise<MunicipalityPolicy | undefined> {
    const key = `${municipality}@${version}`;
    const hit = this.docs.get(key);
    if (hit) return hit;
    const r = await this.pool.query<{ document: MunicipalityPolicy }>('SELECT document FROM policy_versions WHERE municipality = $1 AND version = $2', [municipality, version]);
    const doc = r.rows[0]?.document;
    if (doc) this.docs.set(key, doc);
    return doc;
  }

  /** Stores the next version, numbered under a per-municipality lock. Refuses an effective date
   *  before the latest version's, and a stale `baseVersion`. */
  async create(v: NewVersion, client?: PoolClient): Promise<PolicyVersionRow> {
    const c = client ?? (await this.pool.connect());
    try {
      if (!client) await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_BASE, v.municipality]);
      const last = await c.query('SELECT version, effective_from FROM policy_versions WHERE municipality = $1 ORDER BY version DESC LIMIT 1', [v.municipality]);
      const prev = last.rows[0] as { version: number; effective_from: string } | undefined;
      if (!prev) throw new PolicyConflict(`no policy for ${v.municipality}`);
      if (v.baseVersion !== undefined && v.baseVersion !== prev.version)
        throw new PolicyConflict(`the policy of ${v.municipality} is at version ${prev.version}, not ${v.baseVersion}: it changed meanwhile; review and try again`);
      if (v.effectiveFrom < prev.effective_from)
        throw new PolicyConflict(`effectiveFrom ${v.effectiveFrom} is before version ${prev.version}'s (${prev.effective_from}); versions take effect in order — stop that rollout and make a new version instead`);
      const version = prev.version + 1;
      const document = { ...v.document, version };
      const r = await c.query(
        `INSERT INTO policy_versions (municipality, version, effective_from, author, reason, change, changed_types, document)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
        [v.municipality, version, v.effectiveFrom, v.author, v.reason, JSON.stringify(v.change), v.changedTypes, JSON.stringify(document)],
      );
      if (!client) await c.query('COMMIT');
      return toRow(r.rows[0]);
    } catch (err) {
      if (!client) await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      if (!client) c.release();
    }
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

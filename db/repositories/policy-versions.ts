// policy_versions: one immutable row per version of a municipality's policy. Numbering and the
// order of effective dates are kept under a per-municipality lock (see create).
import type { IsoDate } from '../../machines/dates';
import {
  PolicyConflict,
  SEED_EFFECTIVE_FROM,
  type NewVersion,
  type PolicyVersionRepo,
  type PolicyVersionRow,
} from '../../policies/store';
import type { MunicipalityPolicy } from '../../policies/types';
import type { Queryable } from '../queryable';

const LOCK_BASE = 72_614_100;

/** A policy_versions row as pg returns it. */
interface Stored {
  municipality: string;
  version: number;
  effective_from: IsoDate;
  author: string;
  reason: string;
  created_at: Date;
  change: PolicyVersionRow['change'];
  changed_types: PolicyVersionRow['changedTypes'];
}

const toRow = (r: Stored): PolicyVersionRow => ({
  municipality: r.municipality,
  version: r.version,
  effectiveFrom: r.effective_from,
  author: r.author,
  reason: r.reason,
  createdAt: r.created_at.toISOString(),
  change: r.change,
  changedTypes: r.changed_types,
});

export class PolicyVersionRepository implements PolicyVersionRepo {
  constructor(private readonly db: Queryable) {}

  /** Inserts `m` as the first version unless the municipality has one. True when inserted. */
  async seed(m: MunicipalityPolicy): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO policy_versions (municipality, version, effective_from, author, reason, document)
       SELECT $1, $2, $3, 'catalogue', $4, $5
        WHERE NOT EXISTS (SELECT 1 FROM policy_versions WHERE municipality = $1)
       ON CONFLICT DO NOTHING`,
      [
        m.municipality,
        m.version,
        SEED_EFFECTIVE_FROM,
        `seeded from the catalogue (${m.document.file})`,
        JSON.stringify(m),
      ],
    );
    return r.rowCount === 1;
  }

  async municipalities(): Promise<string[]> {
    const r = await this.db.query<{ municipality: string }>(
      'SELECT DISTINCT municipality FROM policy_versions ORDER BY municipality',
    );
    return r.rows.map((x) => x.municipality);
  }

  /** The highest version effective on or before `on`. */
  async versionInForce(municipality: string, on: IsoDate): Promise<number | undefined> {
    const r = await this.db.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM policy_versions WHERE municipality = $1 AND effective_from <= $2',
      [municipality, on],
    );
    return r.rows[0]?.version ?? undefined;
  }

  async latest(municipality: string): Promise<PolicyVersionRow | undefined> {
    const r = await this.db.query(
      'SELECT * FROM policy_versions WHERE municipality = $1 ORDER BY version DESC LIMIT 1',
      [municipality],
    );
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async version(municipality: string, version: number): Promise<PolicyVersionRow | undefined> {
    const r = await this.db.query('SELECT * FROM policy_versions WHERE municipality = $1 AND version = $2', [
      municipality,
      version,
    ]);
    return r.rows[0] ? toRow(r.rows[0]) : undefined;
  }

  async versions(municipality: string): Promise<PolicyVersionRow[]> {
    const r = await this.db.query('SELECT * FROM policy_versions WHERE municipality = $1 ORDER BY version', [
      municipality,
    ]);
    return r.rows.map(toRow);
  }

  async document(municipality: string, version: number): Promise<MunicipalityPolicy | undefined> {
    const r = await this.db.query<{ document: MunicipalityPolicy }>(
      'SELECT document FROM policy_versions WHERE municipality = $1 AND version = $2',
      [municipality, version],
    );
    return r.rows[0]?.document;
  }

  /** Stores the next version, numbered under a per-municipality lock. Refuses an effective date
   *  before the latest version's, and a stale `baseVersion`. The lock is the transaction's: call
   *  this on a connection inside a transaction (db/transaction.ts). */
  async create(v: NewVersion): Promise<PolicyVersionRow> {
    await this.db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_BASE, v.municipality]);
    const last = await this.db.query(
      'SELECT version, effective_from FROM policy_versions WHERE municipality = $1 ORDER BY version DESC LIMIT 1',
      [v.municipality],
    );
    const prev = last.rows[0] as { version: number; effective_from: string } | undefined;
    if (!prev) throw new PolicyConflict(`no policy for ${v.municipality}`);
    if (v.baseVersion !== undefined && v.baseVersion !== prev.version)
      throw new PolicyConflict(
        `the policy of ${v.municipality} is at version ${prev.version}, not ${v.baseVersion}: it changed meanwhile; review and try again`,
      );
    if (v.effectiveFrom < prev.effective_from)
      throw new PolicyConflict(
        `effectiveFrom ${v.effectiveFrom} is before version ${prev.version}'s (${prev.effective_from}); versions take effect in order — stop that rollout and make a new version instead`,
      );
    const version = prev.version + 1;
    const document = { ...v.document, version };
    const r = await this.db.query(
      `INSERT INTO policy_versions (municipality, version, effective_from, author, reason, change, changed_types, document)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
      [
        v.municipality,
        version,
        v.effectiveFrom,
        v.author,
        v.reason,
        JSON.stringify(v.change),
        v.changedTypes,
        JSON.stringify(document),
      ],
    );
    return toRow(r.rows[0]);
  }
}

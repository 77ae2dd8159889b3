// api_keys: the systems' keys, stored as hashes, with their municipalities and roles.
import type { Queryable } from '../queryable';

export interface ApiKeyRow {
  id: string;
  name: string;
  municipalities: string[];
  roles: string[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface Row {
  id: string;
  name: string;
  municipalities: string[];
  roles: string[];
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const toRow = (r: Row): ApiKeyRow => ({
  id: r.id,
  name: r.name,
  municipalities: r.municipalities,
  roles: r.roles,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
});

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  async create(k: { id: string; hash: string; name: string; municipalities: string[]; roles: string[]; by: string }) {
    await this.db.query(
      'INSERT INTO api_keys (id, name, key_hash, municipalities, roles, created_by) VALUES ($1,$2,$3,$4,$5,$6)',
      [k.id, k.name, k.hash, k.municipalities, k.roles, k.by],
    );
  }

  /** The live key with this hash; marks it used (at most once a minute, to spare the table). */
  async byHash(hash: string): Promise<ApiKeyRow | undefined> {
    const r = await this.db.query<Row>(
      `UPDATE api_keys SET last_used_at = now()
        WHERE key_hash = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
        RETURNING *`,
      [hash],
    );
    if (r.rows[0]) return toRow(r.rows[0]);
    const q = await this.db.query<Row>('SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [hash]);
    return q.rows[0] ? toRow(q.rows[0]) : undefined;
  }

  async list(): Promise<ApiKeyRow[]> {
    const r = await this.db.query<Row>('SELECT * FROM api_keys ORDER BY created_at, id');
    return r.rows.map(toRow);
  }

  async revoke(id: string, by: string): Promise<boolean> {
    const r = await this.db.query(
      'UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, by],
    );
    return r.rowCount === 1;
  }
}

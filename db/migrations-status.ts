// Which migrations this code expects that the database has not applied: a process must not take
// traffic against a schema older than its code (readiness), nor apply them behind another's back.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from './queryable';

const DIR = join(__dirname, 'migrations');

export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const expected = readdirSync(DIR).filter((f) => f.endsWith('.sql'));
  const table = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!table.rows[0]?.t) return expected.sort();
  const done = new Set(
    (await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
  );
  return expected.filter((f) => !done.has(f)).sort();
}

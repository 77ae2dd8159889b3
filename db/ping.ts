import type { Queryable } from './queryable';

/** Resolves when the database answers. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

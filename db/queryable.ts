import type { Pool, PoolClient } from 'pg';

/** What a repository queries through: the pool, or one connection inside a transaction. */
export type Queryable = Pool | PoolClient;

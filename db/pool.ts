import pg from 'pg';

// DATE columns come back as the calendar date string, never as a JS Date shifted by a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection dropped by the server (a restart, or Ctrl-C reaching PostgreSQL before us)
  // is not a crash: the pool replaces it on the next query.
  pool.on('error', (err) => console.warn(`[indsatsflow] database connection lost: ${err.message}`));
  return pool;
}

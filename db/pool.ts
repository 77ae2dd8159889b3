import pg from 'pg';

// DATE columns come back as the calendar date string, never as a JS Date shifted by a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 10 });
}

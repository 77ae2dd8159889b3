import pg from 'pg';

// DATE columns come back as the calendar date string, never as a JS Date shifted by a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

const envMs = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/** How long a request waits for the database before it fails (and the API answers 503). */
export const DB_TIMEOUTS = {
  /** Opening a connection (a stopped or unreachable server). */
  connectMs: envMs('INDSATSFLOW_DB_CONNECT_TIMEOUT_MS', 2_500),
  /** One statement, enforced by the server. */
  statementMs: envMs('INDSATSFLOW_DB_STATEMENT_TIMEOUT_MS', 10_000),
  /** One statement, enforced here too: a server that hangs (paused, network gone) never answers. */
  queryMs: envMs('INDSATSFLOW_DB_STATEMENT_TIMEOUT_MS', 10_000) + 1_000,
};

export function createPool(
  url: string,
  log: (line: string) => void = (l) => console.warn(`[indsatsflow] ${l}`),
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
    statement_timeout: DB_TIMEOUTS.statementMs,
    query_timeout: DB_TIMEOUTS.queryMs,
    // A dead peer (a killed server, a dropped network) is noticed instead of waited on forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A connection the server drops (an outage, a restart, Ctrl-C reaching PostgreSQL first) is not a
  // crash. The pool listens on idle clients only; a checked-out client that loses its connection
  // emits 'error' too, and without a listener of its own that would be an uncaught exception. The
  // query in flight fails with the error and the pool discards the client when it is released.
  let lastLogged = 0;
  const onError = (err: Error) => {
    // One line per outage, not one per connection.
    if (Date.now() - lastLogged > 5_000) {
      lastLogged = Date.now();
      log(`database connection lost: ${err.message}`);
    }
  };
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** True for the errors of a database that cannot be reached or does not answer in time (the API's 503). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENOTFOUND',
    '57P01',
    '57P02',
    '57P03',
    '57014',
    '08000',
    '08003',
    '08006',
    '08001',
    '08004',
  ];
  if (e.code && codes.includes(e.code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Query read timeout|Client has encountered a connection error|connection timeout/i.test(
    e.message ?? '',
  );
}

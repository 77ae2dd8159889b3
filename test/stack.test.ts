import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { startPostgres } from '../stack/postgres';
import { startTemporalServer } from '../stack/temporal-server';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

test('local stack: PostgreSQL and Temporal dev server with our search attributes', { timeout: 50_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'indsatsflow-stack-'));
  // As root, PostgreSQL runs as user "postgres", which must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let t0 = Date.now();
  const [pg, temporal] = await Promise.all([
    startPostgres({ dataDir: path.join(dir, 'pg') }).then((p) => {
      t.diagnostic(`postgres init+start ${Date.now() - t0} ms`);
      stops.push(p.stop);
      return p;
    }),
    startTemporalServer({ dbFile: path.join(dir, 'temporal.db'), uiPort: null }).then((s) => {
      t.diagnostic(`temporal start ${Date.now() - t0} ms`);
      stops.push(s.stop);
      return s;
    }),
  ]);

  const db = new PgClient({ connectionString: pg.url });
  await db.connect();
  try {
    const { rows } = await db.query('select 1 as one');
    assert.deepEqual(rows, [{ one: 1 }]);
  } finally {
    await db.end();
  }

  const connection = await Connection.connect({ address: temporal.address });
  try {
    const res = await connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
    const custom = res.customAttributes ?? {};
    for (const { name } of SEARCH_ATTRIBUTES) {
      assert.ok(name in custom, `search attribute ${name} is registered (got ${Object.keys(custom).join(', ')})`);
    }
  } finally {
    await connection.close();
  }

  t0 = Date.now();
  await Promise.all(stops.splice(0).map((stop) => stop()));
  t.diagnostic(`stop both ${Date.now() - t0} ms`);
});

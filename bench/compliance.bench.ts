// Benchmark: the compliance figures (db/repositories/compliance.ts) on N deadlines, against a
// plain `SELECT count(*)` over the same rows in the same run, on the embedded PostgreSQL.
//
//   npm run bench:compliance -- [N]        (default 100000 deadlines; 10 per measure)
//
// The projection is filled with SQL (generate_series), not through workflows: the figures read
// only the projection, and 100,000 deadlines through the real stack would take hours here.
// One municipality, 20 teams, 200 caseworkers, 3 measure types (one covered by § 95 in 2 of 3
// measures), due dates spread over two years up to today, 70 % met (a fifth of them late), 5 %
// cancelled, the rest open (overdue or still to come).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComplianceRepository, type ComplianceWindow } from '../db/repositories/compliance';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { addToDate, dateOf } from '../machines/dates';
import { startPostgres } from '../stack/postgres';

const N = Number(process.argv[2] ?? process.env.BENCH_N ?? 100_000);
const PER_MEASURE = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

const ms = (t: bigint) => Number(t) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(); // warm the cache and the plans
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(ms(process.hrtime.bigint() - t0));
  }
  return out;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'indsatsflow-bench-compliance-'));
  chmodSync(dataDir, 0o755);
  const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  const pg = await startPostgres({ dataDir: join(dataDir, 'postgres') });
  const pool = createPool(pg.url);
  try {
    await migrate(pool);
    const today = dateOf(Date.now());
    const measures = Math.ceil(N / PER_MEASURE);
    const t0 = Date.now();
    // Start dates spread over two years; deadline k of a measure falls due 30 days after the last.
    await pool.query(
      `INSERT INTO measures (measure_id, workflow_id, municipality, measure_type, state, policy_version, case_id,
                             caseworker_id, team_id, revision, start_on, closed_on, statutory_follow_up)
       SELECT 'B-' || i, 'measure/bench/B-' || i, 'bench', (ARRAY['familiebehandling','aflastning','radgivning'])[1 + i % 3],
              'following-up', 1, 'C-' || i, 'cw-' || (i % 200), 'team-' || (i % 20), 1,
              $1::date - (i % 730), NULL, i % 3 <> 2
         FROM generate_series(1, $2::int) i`,
      [today, measures],
    );
    await pool.query(
      `INSERT INTO deadlines (municipality, measure_id, deadline_id, kind, due_on, due_at, overdue_at, status, met_on, basis, strength, source, escalation_level)
       SELECT 'bench', 'B-' || i, CASE WHEN k = 0 THEN 'first-follow-up' ELSE 'follow-up#' || k END,
              CASE WHEN k = 0 THEN 'first-follow-up' ELSE 'follow-up' END,
              due, due::timestamp AT TIME ZONE 'Europe/Copenhagen', (due + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen',
              CASE WHEN due > $1::date THEN 'pending' WHEN r < 70 THEN 'met' WHEN r < 75 THEN 'cancelled' ELSE 'pending' END,
              CASE WHEN due > $1::date THEN NULL WHEN r < 56 THEN due - (r % 7) WHEN r < 70 THEN due + 1 + (r % 20) END,
              'municipal', 'hard', '{"kind":"policy-setting","note":"bench"}', CASE WHEN r >= 75 THEN r % 4 ELSE 0 END
         FROM generate_series(1, $2::int) i, generate_series(0, ${PER_MEASURE - 1}) k,
              LATERAL (SELECT $1::date - (i % 730) + 28 + 30 * k AS due, (i * 7 + k * 13) % 100 AS r) x`,
      [today, measures],
    );
    await pool.query('ANALYZE measures; ANALYZE deadlines');
    const rows = Number((await pool.query('SELECT count(*) FROM deadlines')).rows[0].count);
    log(
      `${rows} deadlines of ${measures} measures inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${cpus().length} cores`,
    );

    const repo = new ComplianceRepository(pool);
    const now = new Date();
    const all = (await pool.query('SELECT min(due_on) AS f, max(due_on) AS t FROM deadlines')).rows[0];
    const year = { from: addToDate(today, '-P1Y'), to: today };
    const cases: Array<{ name: string; w: ComplianceWindow }> = [
      { name: 'every deadline, one group', w: { municipality: 'bench', from: all.f, to: all.t } },
      { name: 'every deadline, by team', w: { municipality: 'bench', from: all.f, to: all.t, groupBy: 'team' } },
      {
        name: 'every deadline, by caseworker',
        w: { municipality: 'bench', from: all.f, to: all.t, groupBy: 'caseworker' },
      },
      { name: 'every deadline, by month', w: { municipality: 'bench', from: all.f, to: all.t, groupBy: 'month' } },
      {
        name: '12 months, one team, by caseworker',
        w: { municipality: 'bench', teamId: 'team-3', ...year, groupBy: 'caseworker' },
      },
    ];
    console.log(`\n| query | rows counted | figures median (ms) | p95 | count(*) median (ms) | figures ÷ count(*) |`);
    console.log(`|---|---|---|---|---|---|`);
    for (const c of cases) {
      const scope = [
        `m.municipality = $1`,
        `d.due_on BETWEEN $2 AND $3`,
        ...(c.w.teamId ? [`m.team_id = $4`] : []),
      ].join(' AND ');
      const args = [c.w.municipality, c.w.from, c.w.to, ...(c.w.teamId ? [c.w.teamId] : [])];
      const countSql = `SELECT count(*) FROM deadlines d JOIN measures m ON m.municipality = d.municipality AND m.measure_id = d.measure_id WHERE ${scope}`;
      const counted = Number((await pool.query(countSql, args)).rows[0].count);
      // Interleaved in the same run, so that both see the same cache and machine load.
      const base = await time(() => pool.query(countSql, args));
      const figures = await time(() => repo.figures(c.w, now));
      const ratio = median(figures) / median(base);
      console.log(
        `| ${c.name} | ${counted.toLocaleString('en')} | ${median(figures).toFixed(1)} | ${p95(figures).toFixed(1)} | ${median(base).toFixed(1)} | ${ratio.toFixed(2)} |`,
      );
    }
    const sample = await repo.figures(cases[0].w, now);
    console.log(`\none group: ${JSON.stringify(sample[0])}`);
  } finally {
    await pool.end();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

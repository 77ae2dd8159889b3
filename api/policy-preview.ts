// The preview's adapter: loads the running measures of the changed types (the machine state the
// projection stores beside each, or the workflow's own answer where that is not stored) and the
// versions they run under, then hands them to the pure preview (policies/preview.ts).
import type { Client } from '@temporalio/client';
import { setImmediate } from 'node:timers/promises';
import type { Pool } from 'pg';
import { startOfDay, type IsoDate } from '../machines/dates';
import type { Facts } from '../machines/facts';
import type { MeasureState } from '../machines/measure-machine';
import { PreviewBuilder, type Preview } from '../policies/preview';
import type { PolicyStore } from '../policies/store';
import type { MunicipalityPolicy } from '../policies/types';
import { snapshotQuery } from '../workflows/definitions';

/** Measures simulated between two turns of the event loop (about 50 ms of CPU at 10,000). */
const PREVIEW_CHUNK = 250;

interface Row {
  measure_id: string;
  workflow_id: string;
  measure_type: string;
  team_id: string | null;
  policy_version: number;
  snapshot: { state: MeasureState; facts: Facts; raised: string[]; hasBirthDate?: boolean } | null;
}

export async function previewChange(
  deps: { pool: Pool; temporal: Client; store: PolicyStore },
  o: { municipality: string; next: MunicipalityPolicy; measureTypes: string[]; effectiveFrom: IsoDate; limit?: number },
): Promise<Preview> {
  const t0 = Date.now();
  const now = Date.now();
  const at = Math.max(now, startOfDay(o.effectiveFrom));
  const rows = (
    await deps.pool.query<Row>(
      `SELECT measure_id, workflow_id, measure_type, team_id, policy_version, snapshot FROM measures
        WHERE municipality = $1 AND measure_type = ANY($2) AND state <> 'closed' ORDER BY measure_id`,
      [o.municipality, o.measureTypes],
    )
  ).rows;
  // Measures projected before snapshots were stored, or whose facts hold what is never stored
  // (the child's birth date), are asked directly.
  const ask = rows.filter((r) => !r.snapshot || r.snapshot.hasBirthDate);
  for (let i = 0; i < ask.length; i += 10) {
    await Promise.all(
      ask.slice(i, i + 10).map(async (r) => {
        try {
          const q = await deps.temporal.workflow.getHandle(r.workflow_id).query(snapshotQuery);
          r.snapshot = { state: q.snapshot.state, facts: q.snapshot.context.facts, raised: q.raised };
          r.policy_version = q.snapshot.context.policy.version;
        } catch {
          r.snapshot = null; // closed meanwhile
        }
      }),
    );
  }
  const docs = new Map<number, MunicipalityPolicy>();
  for (const v of new Set(rows.map((r) => r.policy_version)))
    docs.set(v, (await deps.store.document(o.municipality, v))!);
  const t1 = Date.now();

  const measures = rows.map((r) => ({
    measureId: r.measure_id,
    measureType: r.measure_type,
    teamId: r.team_id,
    policyVersion: r.policy_version,
    snapshot: r.snapshot,
  }));
  // In chunks, yielding between them: 10,000 measures are seconds of CPU, and this event loop also
  // answers the case systems (and, with `npm start`, runs the worker's activations).
  const b = new PreviewBuilder(docs, { next: o.next, measureTypes: o.measureTypes, at, limit: o.limit });
  for (let i = 0; i < measures.length; i += PREVIEW_CHUNK) {
    if (i > 0) await setImmediate();
    for (const m of measures.slice(i, i + PREVIEW_CHUNK)) b.add(m);
  }
  const p = b.result();
  return { ...p, timing: { loadMs: t1 - t0, computeMs: Date.now() - t1, fromWorkflows: ask.length } };
}

// The rollout's side of PostgreSQL and Temporal: find the running measures a policy version must
// reach, send each its `policy` update, record what happened. Every step is idempotent: the update
// is a no-op for a measure already at the version, and item rows never downgrade an outcome.
import { Context, heartbeat, log } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { measurePolicyOf } from '../policies/source';
import type { MunicipalityPolicy } from '../policies/types';
import { policyUpdate, type PolicyChange } from '../workflows/definitions';
import type { MachineState, RolloutActivities, RolloutBatchInput, RolloutBatchResult } from './types';

/** Beside the projection, with its own revision guard. The child's birth date never leaves the
 *  workflow: a preview that needs it asks the workflow instead (`hasBirthDate`). */
export async function storeMachineState(pool: Pool, measureId: string, revision: number, m: MachineState): Promise<void> {
  const grant = m.facts.grant as (Record<string, unknown> & { childBirthDate?: string }) | undefined;
  const hasBirthDate = grant?.childBirthDate !== undefined;
  const facts = hasBirthDate ? { ...m.facts, grant: { ...grant, childBirthDate: undefined } } : m.facts;
  await pool.query(
    `UPDATE measures SET snapshot = $1, snapshot_revision = $2
      WHERE measure_id = $3 AND (snapshot_revision IS NULL OR snapshot_revision < $2)`,
    [JSON.stringify({ state: m.state, facts, raised: m.raised, hasBirthDate }), revision, measureId],
  );
}

type Outcome = 'moved' | 'updated' | 'already' | 'closed' | 'superseded' | 'failed';

export function createRolloutActivities(pool: Pool, clientOf: () => Client = () => Context.current().client): RolloutActivities {
  const docs = new Map<string, MunicipalityPolicy>();
  const documentOf = async (municipality: string, version: number) => {
    const key = `${municipality}@${version}`;
    let d = docs.get(key);
    if (!d) {
      const r = await pool.query('SELECT document FROM policy_versions WHERE municipality = $1 AND version = $2', [municipality, version]);
      if (!r.rows[0]) throw ApplicationFailure.nonRetryable(`no policy version ${municipality} v${version}`);
      d = r.rows[0].document as MunicipalityPolicy;
      docs.set(key, d); // versions are immutable
    }
    return d;
  };

  return {
    async rolloutBegin({ rolloutId }) {
      const r = await pool.query(
        `UPDATE policy_rollouts p SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
                total = coalesce(total, (SELECT count(*) FROM measures m
                                          WHERE m.municipality = p.municipality AND m.measure_type = ANY(p.measure_types)
                                            AND m.state <> 'closed' AND m.policy_version < p.version))
          WHERE id = $1 AND status IN ('scheduled', 'running') RETURNING total`,
        [rolloutId],
      );
      return { total: r.rows[0]?.total ?? 0 };
    },

    async rolloutFinish({ rolloutId, status }) {
      await pool.query(
        `UPDATE policy_rollouts SET status = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND status IN ('scheduled', 'running')`,
        [rolloutId, status],
      );
    },

    async rolloutBatch(input: RolloutBatchInput): Promise<RolloutBatchResult> {
      // A retried batch starts over: updates are idempotent and say which rollout applied them.
      const after = input.after;
      const rows = (
        await pool.query<{ measure_id: string; workflow_id: string; measure_type: string }>(
          `SELECT measure_id, workflow_id, measure_type FROM measures
            WHERE municipality = $1 AND measure_type = ANY($2) AND state <> 'closed' AND policy_version < $3 AND measure_id > $4
            ORDER BY measure_id LIMIT $5`,
          [input.municipality, input.measureTypes, input.version, after, input.limit],
        )
      ).rows;
      const doc = await documentOf(input.municipality, input.version);
      const client = clientOf();
      const counts: Record<string, number> = {};
      type Result = { measureId: string; outcome: Outcome; detail?: string; moved: unknown };
      let pending: Result[] = [];
      const flush = async () => {
        const rs = pending;
        pending = [];
        if (rs.length === 0) return;
        await pool.query(
          `INSERT INTO policy_rollout_items (rollout_id, measure_id, outcome, moved, detail)
           SELECT $1, x.measure_id, x.outcome, x.moved::jsonb, x.detail
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(measure_id, outcome, moved, detail)
           ON CONFLICT (rollout_id, measure_id) DO UPDATE SET outcome = excluded.outcome, moved = excluded.moved, detail = excluded.detail, at = now()
            WHERE policy_rollout_items.outcome NOT IN ('moved', 'updated')`,
          [input.rolloutId, rs.map((r) => r.measureId), rs.map((r) => r.outcome), rs.map((r) => (r.moved ? JSON.stringify(r.moved) : null)), rs.map((r) => r.detail ?? null)],
        );
        for (const r of rs) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
        heartbeat({ done: Object.values(counts).reduce((a, b) => a + b, 0), of: rows.length });
      };
      // A sliding window of `concurrency` updates in flight (each to a different workflow).
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(input.concurrency, rows.length) }, async () => {
          while (next < rows.length) {
            const row = rows[next++];
            const type = doc.measureTypes.find((t) => t.slug === row.measure_type);
            const r: Result = type
              ? { measureId: row.measure_id, ...(await send(client, row.workflow_id, { policy: measurePolicyOf(doc, type), version: input.version, reason: input.reason, author: input.author, rolloutId: input.rolloutId }, input.rolloutId)) }
              : { measureId: row.measure_id, outcome: 'failed', detail: `version ${input.version} has no measure type ${row.measure_type}`, moved: null };
            pending.push(r);
            if (pending.length >= input.concurrency) await flush();
          }
        }),
      );
      await flush();
      const cursor = rows.length ? rows[rows.length - 1].measure_id : after;
      await pool.query('UPDATE policy_rollouts SET updated_at = now() WHERE id = $1', [input.rolloutId]);
      return { processed: rows.length, next: rows.length < input.limit ? null : cursor, counts };
    },
  };
}

async function send(client: Client, workflowId: string, change: PolicyChange, rolloutId: string): Promise<{ outcome: Outcome; detail?: string; moved: unknown }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await client.workflow.getHandle(workflowId).executeUpdate(policyUpdate, { args: [change], updateId: rolloutId });
      const mine = r.changed || r.appliedBy === rolloutId;
      return { outcome: !mine ? 'already' : r.moved.length ? 'moved' : 'updated', moved: r.moved.length ? r.moved : null };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) return { outcome: 'closed', detail: 'the measure is no longer running', moved: null };
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'policy-refused') return { outcome: 'superseded', detail: cause.message, moved: null };
      if (attempt >= 3) {
        log.warn('policy update failed', { workflowId, rolloutId, error: (err as Error).message });
        return { outcome: 'failed', detail: (err as Error).message, moved: null };
      }
      await new Promise((res) => setTimeout(res, 500 * attempt));
    }
  }
}

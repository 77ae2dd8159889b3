// The rollout's side of PostgreSQL and Temporal: find the running measures a policy version must
// reach, send each its `policy` update, record what happened. Every step is idempotent: the update
// is a no-op for a measure already at the version, and item rows never downgrade an outcome.
import { Context, heartbeat, log } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Repositories } from '../db/repositories';
import type { RolloutItem } from '../db/repositories/rollouts';
import { measurePolicyOf } from '../policies/source';
import type { MunicipalityPolicy } from '../policies/types';
import { policyUpdate, type PolicyChange } from '../workflows/definitions';
import type { RolloutActivities, RolloutBatchInput, RolloutBatchResult } from './types';

type Outcome = 'moved' | 'updated' | 'already' | 'closed' | 'superseded' | 'failed';

export function createRolloutActivities(
  repos: Pick<Repositories, 'rollouts' | 'policyVersions'>,
  clientOf: () => Client = () => Context.current().client,
): RolloutActivities {
  const { rollouts } = repos;
  const docs = new Map<string, MunicipalityPolicy>();
  const documentOf = async (municipality: string, version: number) => {
    const key = `${municipality}@${version}`;
    let d = docs.get(key);
    if (!d) {
      d = await repos.policyVersions.document(municipality, version);
      if (!d) throw ApplicationFailure.nonRetryable(`no policy version ${municipality} v${version}`);
      docs.set(key, d); // versions are immutable
    }
    return d;
  };

  return {
    rolloutBegin: ({ rolloutId }) => rollouts.begin(rolloutId),

    rolloutFinish: ({ rolloutId, status }) => rollouts.finish(rolloutId, status),

    async rolloutBatch(input: RolloutBatchInput): Promise<RolloutBatchResult> {
      // A retried batch starts over: updates are idempotent and say which rollout applied them.
      const after = input.after;
      const rows = await rollouts.measuresToMove({ ...input, after });
      const doc = await documentOf(input.municipality, input.version);
      const client = clientOf();
      const counts: Record<string, number> = {};
      type Result = RolloutItem & { outcome: Outcome };
      let pending: Result[] = [];
      const flush = async () => {
        const rs = pending;
        pending = [];
        if (rs.length === 0) return;
        await rollouts.record(input.rolloutId, rs);
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
              ? {
                  measureId: row.measure_id,
                  ...(await send(
                    client,
                    row.workflow_id,
                    {
                      policy: measurePolicyOf(doc, type),
                      version: input.version,
                      reason: input.reason,
                      author: input.author,
                      rolloutId: input.rolloutId,
                    },
                    input.rolloutId,
                  )),
                }
              : {
                  measureId: row.measure_id,
                  outcome: 'failed',
                  detail: `version ${input.version} has no measure type ${row.measure_type}`,
                  moved: null,
                };
            pending.push(r);
            if (pending.length >= input.concurrency) await flush();
          }
        }),
      );
      await flush();
      const cursor = rows.length ? rows[rows.length - 1].measure_id : after;
      await rollouts.touch(input.rolloutId);
      return { processed: rows.length, next: rows.length < input.limit ? null : cursor, counts };
    },
  };
}

async function send(
  client: Client,
  workflowId: string,
  change: PolicyChange,
  rolloutId: string,
): Promise<{ outcome: Outcome; detail?: string; moved: unknown }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await client.workflow
        .getHandle(workflowId)
        .executeUpdate(policyUpdate, { args: [change], updateId: rolloutId });
      const mine = r.changed || r.appliedBy === rolloutId;
      return {
        outcome: !mine ? 'already' : r.moved.length ? 'moved' : 'updated',
        moved: r.moved.length ? r.moved : null,
      };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message))
        return { outcome: 'closed', detail: 'the measure is no longer running', moved: null };
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === 'policy-refused')
        return { outcome: 'superseded', detail: cause.message, moved: null };
      if (attempt >= 3) {
        log.warn('policy update failed', { workflowId, rolloutId, error: (err as Error).message });
        return { outcome: 'failed', detail: (err as Error).message, moved: null };
      }
      await new Promise((res) => setTimeout(res, 500 * attempt));
    }
  }
}

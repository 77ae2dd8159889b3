// Moves every running measure of a policy version's scope to that version, on its effective date
// (at once when the date has passed). Visible in the Temporal UI as `policy-rollout/<municipality>/v<n>`.
// Batches go through an activity that sends each measure its `policy` update; a pause between
// batches keeps the update rate well under the namespace's limits. Stoppable by signal;
// continues-as-new for large rollouts; progress rows live in PostgreSQL.
import {
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RolloutActivities } from '../activities/types';
import { startOfDay } from '../machines/dates';
import { stopRolloutSignal, type RolloutInput, type RolloutProgress } from './definitions';

const BATCHES_PER_RUN = 100;

const acts = proxyActivities<RolloutActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function policyRolloutWorkflow(input: RolloutInput): Promise<'completed' | 'stopped'> {
  const p: RolloutProgress = input.progress ?? { started: false, cursor: '', sweep: false, processed: 0, counts: {} };
  let stopped = false;
  setHandler(stopRolloutSignal, () => void (stopped = true));
  const details = (what: string) =>
    setCurrentDetails(
      `**${input.municipality} → policy v${input.version}** (${input.measureTypes.join(', ') || 'no measure type'}) — ${what}\n` +
        `${p.processed} measures visited: ${
          Object.entries(p.counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'none yet'
        }`,
    );

  if (!p.started) {
    const wait = startOfDay(input.effectiveFrom) - Date.now();
    if (wait > 0) {
      details(`waiting for ${input.effectiveFrom}`);
      await condition(() => stopped, wait);
    }
    if (stopped) return finish('stopped');
    await acts.rolloutBegin({ rolloutId: input.rolloutId });
    p.started = true;
  }

  const limit = input.batchSize ?? 50;
  let batches = 0;
  for (;;) {
    if (stopped) return finish('stopped');
    details(p.sweep ? 'final sweep' : 'rolling out');
    const r = await acts.rolloutBatch({
      rolloutId: input.rolloutId,
      municipality: input.municipality,
      version: input.version,
      measureTypes: input.measureTypes,
      reason: input.reason,
      author: input.author,
      after: p.cursor,
      limit,
      concurrency: input.concurrency ?? 10,
    });
    p.processed += r.processed;
    for (const [k, v] of Object.entries(r.counts)) p.counts[k] = (p.counts[k] ?? 0) + v;
    if (r.next === null) {
      if (p.sweep) break;
      p.sweep = true;
      p.cursor = '';
    } else p.cursor = r.next;
    batches++;
    if (workflowInfo().continueAsNewSuggested || batches >= BATCHES_PER_RUN) {
      await continueAsNew<typeof policyRolloutWorkflow>({ ...input, progress: p });
    }
    const pause = input.pauseMs ?? 100;
    if (pause > 0) await condition(() => stopped, pause);
  }
  return finish('completed');

  async function finish(status: 'completed' | 'stopped') {
    await acts.rolloutFinish({ rolloutId: input.rolloutId, status });
    details(status);
    return status;
  }
}

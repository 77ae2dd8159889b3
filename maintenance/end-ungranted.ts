// Measure workflows that were started but never granted: earlier versions started the workflow
// before the machine judged the grant, so a refused grant left it running in state `new` for good.
// Found by a visibility query on MeasureState and terminated; nothing was projected for them.
import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPES } from '../workflows/workflow-types';

export interface EndUngrantedOptions {
  /** Only workflows started at least this long ago: a grant in flight is left alone. */
  olderThanMs?: number;
  /** List them without ending them. */
  dryRun?: boolean;
  /** Stop after this many (a safety bound for one pass). */
  max?: number;
}

export async function endUngranted(client: Client, o: EndUngrantedOptions = {}): Promise<string[]> {
  const before = new Date(Date.now() - (o.olderThanMs ?? 5 * 60_000)).toISOString();
  const query =
    `WorkflowType = '${WORKFLOW_TYPES.measure}' AND ExecutionStatus = 'Running' ` +
    `AND MeasureState = 'new' AND StartTime < '${before}'`;
  const ended: string[] = [];
  for await (const w of client.workflow.list({ query })) {
    if (ended.length >= (o.max ?? 10_000)) break;
    if (!o.dryRun)
      await client.workflow
        .getHandle(w.workflowId, w.runId)
        .terminate('never granted: the grant was refused, and the measure was left in state new by an earlier version');
    ended.push(w.workflowId);
  }
  return ended;
}

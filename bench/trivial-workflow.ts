// The bare Temporal baseline of the intake benchmark: a workflow that answers an update and
// waits. Bundled on its own task queue, never part of the service's workflow bundle.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const pingUpdate = defineUpdate<{ n: number }, [{ id: string }]>('ping');

export async function trivialWorkflow(): Promise<void> {
  let n = 0;
  let done = false;
  setHandler(pingUpdate, () => ({ n: ++n }));
  await condition(() => done);
  done = true;
}

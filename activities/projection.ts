// Writes a measure's view to PostgreSQL, and beside it the machine state a policy preview
// simulates from, in one statement guarded by the workflow's revision, so a retried activity or
// interleaved writers never overwrite a newer state with an older one.
import type { MeasureRepository } from '../db/repositories/measures';
import type { MeasureView } from '../machines/measure-view';
import type { MachineState } from './types';

export async function projectMeasure(
  measures: MeasureRepository,
  view: MeasureView,
  machine?: MachineState,
): Promise<void> {
  await measures.project(view, machine);
}

import type { Pool } from 'pg';
import { raiseEscalation } from './escalations';
import { projectMeasure } from './projection';
import { createRolloutActivities, storeMachineState } from './rollout';
import type { MeasureActivities, RolloutActivities } from './types';

export function createActivities(pool: Pool): MeasureActivities & RolloutActivities {
  return {
    ...createRolloutActivities(pool),
    projectMeasure: async (view, machine) => {
      await projectMeasure(pool, view);
      if (machine) await storeMachineState(pool, view.measureId, view.revision, machine);
    },
    raiseEscalation: (e) => raiseEscalation(pool, e),
  };
}

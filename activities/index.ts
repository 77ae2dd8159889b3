import type { Pool } from 'pg';
import { raiseEscalation } from './escalations';
import { projectMeasure } from './projection';
import type { MeasureActivities } from './types';

export function createActivities(pool: Pool): MeasureActivities {
  return {
    projectMeasure: (view) => projectMeasure(pool, view),
    raiseEscalation: (e) => raiseEscalation(pool, e),
  };
}

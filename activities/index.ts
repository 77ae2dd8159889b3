import type { Pool } from 'pg';
import { createRepositories } from '../db/repositories';
import { raiseEscalation, resolveEscalations } from './escalations';
import { classified } from './failures';
import { projectMeasure } from './projection';
import { createRolloutActivities } from './rollout';
import type { MeasureActivities, RolloutActivities } from './types';

export function createActivities(pool: Pool): MeasureActivities & RolloutActivities {
  const repos = createRepositories(pool);
  return {
    ...createRolloutActivities(repos),
    projectMeasure: (view, machine) =>
      classified('projection-refused', () => projectMeasure(repos.measures, view, machine)),
    raiseEscalation: (e) => classified('escalation-refused', () => raiseEscalation(repos.escalations, e)),
    resolveEscalations: (r) => resolveEscalations(repos.escalations, r),
  };
}

// The statutory floor, applied to every supportive measure whose policy says it falls under it.
// Law, not a municipal choice: the stricter of this and the municipality's own rule governs.
import type { TimerRule } from '../policies/types';

/** Barnets Lov § 95: the first follow-up of a supportive measure within 3 months of its start
 *  (formerly SEL § 70). The rhythm after that is set case by case, so there is no recurring floor. */
export const STATUTORY_FIRST_FOLLOW_UP: TimerRule = {
  after: 'P3M',
  from: 'start',
  strength: 'hard',
  source: {
    kind: 'statute',
    paragraph: 'Barnets Lov § 95',
    note: 'første opfølgning senest 3 måneder efter iværksættelse (tidligere SEL § 70)',
  },
};

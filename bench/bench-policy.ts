// The benchmarks' municipality: the test municipality's shape with timers chosen per benchmark
// (a first follow-up months away for intake, seconds away for escalations). Never shipped.
import type { MunicipalityPolicy } from '../policies/types';
import { fastMeasureType, testMunicipality } from '../test/fixtures/test-policy';

export const BENCH_MUNICIPALITY = 'benchby';
export const BENCH_TYPE = 'hurtig-stoette';

/** `oneLevel`: a ladder whose second step is an hour away, so that a deadline falling due raises
 *  exactly one escalation within the benchmark. */
export function benchMunicipality(firstFollowUp: string, oneLevel = false): MunicipalityPolicy {
  const m = testMunicipality();
  const t = fastMeasureType();
  return {
    ...m,
    escalation: oneLevel ? [m.escalation[0], { ...m.escalation[2], level: 2 }] : m.escalation,
    municipality: BENCH_MUNICIPALITY,
    name: 'Benchby Kommune (benchmark)',
    measureTypes: [
      {
        ...t,
        firstFollowUp: { ...t.firstFollowUp!, after: firstFollowUp },
        // Sessions are counted (the follow-up event of the intake bench) and never run out.
        countLimit: { max: 1_000_000, unit: 'samtaler', strength: 'hard', source: t.firstFollowUp!.source },
      },
    ],
  };
}

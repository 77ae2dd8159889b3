// The benchmarks' municipality: the test municipality's shape with timers chosen per benchmark
// (a first follow-up months away for intake, seconds away for escalations). Never shipped.
import type { MunicipalityPolicy } from '../policies/types';
import { fastMeasureType, testMunicipality } from '../test/fixtures/test-policy';

export const BENCH_MUNICIPALITY = 'benchby';
export const BENCH_TYPE = 'hurtig-stoette';

export function benchMunicipality(firstFollowUp: string): MunicipalityPolicy {
  const m = testMunicipality();
  const t = fastMeasureType();
  return {
    ...m,
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

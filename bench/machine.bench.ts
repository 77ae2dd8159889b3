// What one measure's life costs in the machine: grant, startup meeting, three follow-ups, a clock
// tick and the deadlines, as the workflow and the preview's simulation run them. Printed as a ratio
// to a baseline measured in the same run (a JSON round trip of the same snapshot, the cheapest
// faithful copy of the state), because machines here are noisy.
//   npm run bench:machine            (default 2000 measures; npm run bench:machine -- 5000)
import { apply, deadlines, newMeasure, tick, type MeasureSnapshot } from '../machines/measure';
import type { MeasureEvent } from '../machines/event-catalogue';
import { resolveMeasurePolicy } from '../policies/catalogue';

const N = Number(process.argv[2] ?? 2000);
const NOW = Date.parse('2026-11-30T10:00:00Z');
const policy = resolveMeasurePolicy('hjorring', 'familiebehandling')!;

function life(i: number): MeasureSnapshot {
  // Distinct dates per measure, so no two measures derive the same deadlines.
  const day = String(1 + (i % 28)).padStart(2, '0');
  const ev = (type: MeasureEvent['type'], data: Record<string, unknown>, k = 0) =>
    ({ type, eventId: `${type}/${i}/${k}`, at: NOW, data }) as MeasureEvent;
  let s = newMeasure(policy);
  s = apply(
    s,
    ev('measure.granted', {
      municipality: 'hjorring',
      measureType: 'familiebehandling',
      package: 'gul',
      caseId: 'C',
      caseworkerId: 'cw',
      grantedOn: `2026-01-${day}`,
      startOn: `2026-01-${day}`,
    }),
    NOW,
  );
  s = apply(s, ev('measure.startup-meeting-held', { heldOn: `2026-02-${day}` }), NOW);
  for (let k = 0; k < 3; k++)
    s = apply(
      s,
      ev(
        'measure.follow-up-held',
        { heldOn: `2026-0${3 + k * 3}-${day}`, participants: ['executor', 'parents'], actionPlanDecision: 'keep' },
        k,
      ),
      NOW,
    );
  return tick(s, NOW + i);
}

function time(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

life(0); // warm-up
let sink = 0;
const snapshots: MeasureSnapshot[] = [];
const machine = time(() => {
  for (let i = 0; i < N; i++) {
    const s = life(i);
    sink += deadlines(s).length;
    snapshots.push(s);
  }
});
const baseline = time(() => {
  for (const s of snapshots) sink += (JSON.parse(JSON.stringify(s)) as MeasureSnapshot).context.facts.followUps.length;
});
console.log(`measures: ${N}`);
console.log(`machine:  ${(machine / N).toFixed(3)} ms per measure life (${(machine / 1000).toFixed(2)} s)`);
console.log(`baseline: ${(baseline / N).toFixed(3)} ms per snapshot JSON round trip`);
console.log(`ratio machine/baseline: ${(machine / baseline).toFixed(1)}  (checksum ${sink})`);

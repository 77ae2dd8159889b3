// What one measure's life costs in the machine: grant, startup meeting, three follow-ups, a clock
// tick and the deadlines, as the workflow and the preview's simulation run them. Printed as a ratio
// to a baseline measured in the same run (a JSON round trip of the same snapshot, the cheapest
// faithful copy of the state), because machines here are noisy.
// Then the same life as the workflow's activations meet it: the clock moves on between events, and
// each event is judged, applied, ticked by the loop, its ladders judged twice (what is due, when to
// wake) and its view built; between events the measure wakes once with nothing new. Timed in CPU
// milliseconds of this process too, which other processes' load disturbs less than wall time.
//   npm run bench:machine            (default 2000 measures; npm run bench:machine -- 5000)
import { judgeLadders, levelReached, reachedLevels } from '../machines/escalations';
import { viewOf } from '../machines/measure-view';
import { apply, deadlines, decide, newMeasure, tick, type MeasureSnapshot } from '../machines/measure';
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

function cpu(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const raised = new Set<string>();
/** One activation as the workflow runs it at `now` (the event, when there is one, judged once). */
function activation(s: MeasureSnapshot, now: number, e?: MeasureEvent): MeasureSnapshot {
  if (e) {
    const d = decide(s, e, now);
    if (!d.accepted) throw new Error(d.refusal.message);
    s = d.snapshot;
  }
  s = tick(s, now);
  const ds = deadlines(s);
  const ladder = s.context.policy.escalation;
  const quiet = now + 60_000;
  judgeLadders(ds, ladder, reachedLevels(raised), now, quiet);
  judgeLadders(ds, ladder, reachedLevels(raised), now, quiet);
  const reached = reachedLevels(raised);
  sink += viewOf('m', 'w', 1, s, ds, (d) => levelReached(d, reached)).deadlines.length;
  return s;
}

/** The life above, an hour apart per event, with a wake between events. */
function activations(i: number): void {
  const day = String(1 + (i % 28)).padStart(2, '0');
  let at = NOW + i * 1000;
  const ev = (type: MeasureEvent['type'], data: Record<string, unknown>, k = 0) =>
    ({ type, eventId: `${type}/${i}/${k}`, at, data }) as MeasureEvent;
  const events = [
    ev('measure.granted', {
      municipality: 'hjorring',
      measureType: 'familiebehandling',
      package: 'gul',
      caseId: 'C',
      caseworkerId: 'cw',
      grantedOn: `2026-01-${day}`,
      startOn: `2026-01-${day}`,
    }),
    ev('measure.startup-meeting-held', { heldOn: `2026-02-${day}` }),
    ...[0, 1, 2].map((k) =>
      ev(
        'measure.follow-up-held',
        { heldOn: `2026-0${3 + k * 3}-${day}`, participants: ['executor', 'parents'], actionPlanDecision: 'keep' },
        k,
      ),
    ),
  ];
  let s = activation(newMeasure(policy), at);
  for (const e of events) {
    at += 3_600_000;
    s = activation(s, at, { ...e, at });
    at += 60_000;
    s = activation(s, at);
  }
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
activations(0); // warm-up
let activationWall = 0;
const activationCpu = cpu(() => {
  activationWall = time(() => {
    for (let i = 0; i < N; i++) activations(i);
  });
});
const baselineCpu = cpu(() => {
  for (const s of snapshots) sink += (JSON.parse(JSON.stringify(s)) as MeasureSnapshot).context.facts.followUps.length;
});
const perActivation = 11; // the first, then an event and a wake for each of the five events
console.log(`measures: ${N}`);
console.log(`machine:  ${(machine / N).toFixed(3)} ms per measure life (${(machine / 1000).toFixed(2)} s)`);
console.log(`baseline: ${(baseline / N).toFixed(3)} ms per snapshot JSON round trip`);
console.log(`ratio machine/baseline: ${(machine / baseline).toFixed(1)}  (checksum ${sink})`);
console.log(
  `activations: ${((activationCpu / N / perActivation) * 1000).toFixed(1)} µs CPU per activation ` +
    `(${(activationWall / N).toFixed(3)} ms wall, ${(activationCpu / N).toFixed(3)} ms CPU per measure); ` +
    `ratio to the JSON baseline in CPU: ${(activationCpu / baselineCpu).toFixed(1)}`,
);

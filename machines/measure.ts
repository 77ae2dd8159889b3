// The measure machine as plain functions over plain data: what the workflow, the preview and the
// tests call. Snapshots persist as a small DTO (state + context), never as live actors.
import { initialTransition, transition } from 'xstate';
import { deriveDeadlines, type Deadline } from './deadlines';
import type { MachineEvent, MeasureEvent } from './event-catalogue';
import { listensTo, MACHINE_VERSION, measureMachine, type MeasureContext, type MeasureState } from './measure-machine';
import { refusalInWords, type Refusal } from './refusals';
import type { MeasurePolicy } from '../policies/types';

export interface MeasureSnapshot {
  machineVersion: number;
  state: MeasureState;
  context: MeasureContext;
}

type Live = ReturnType<typeof measureMachine.resolveState>;

function live(s: MeasureSnapshot): Live {
  return measureMachine.resolveState({ value: s.state, context: s.context });
}

function dto(s: Live): MeasureSnapshot {
  return { machineVersion: MACHINE_VERSION, state: s.value as MeasureState, context: s.context };
}

export function newMeasure(policy: MeasurePolicy): MeasureSnapshot {
  const [s] = initialTransition(measureMachine, { policy });
  return dto(s);
}

export function tick(s: MeasureSnapshot, now: number): MeasureSnapshot {
  return step(s, { type: 'clock', now });
}

function step(s: MeasureSnapshot, e: MachineEvent): MeasureSnapshot {
  const [next] = transition(measureMachine, live(s), e);
  return dto(next);
}

/** The machine's judgement of one event at `now`: the snapshot it leads to, or the refusal. */
export type Decision = { accepted: true; snapshot: MeasureSnapshot } | { accepted: false; refusal: RefusedEvent };

/** Judges the event once: the clock ticks, the machine takes the event or does not (its states'
 *  `on` and the `allowed` guard), and a refusal is put in words. */
export function decide(s: MeasureSnapshot, e: MeasureEvent, now: number): Decision {
  const ticked = tick(s, now);
  const listened = listensTo(ticked.state, e.type);
  if (listened) {
    const next = step(ticked, e);
    if (next.state !== ticked.state || next.context !== ticked.context) return { accepted: true, snapshot: next };
  }
  const { policy, facts } = ticked.context;
  return {
    accepted: false,
    refusal: new RefusedEvent(ticked.state, refusalInWords(ticked.state, listened, policy, facts, e)),
  };
}

/** Why the event would be refused after the clock reads `now` (code, Danish message, English
 *  detail), or null when it is allowed. */
export function refusalOf(s: MeasureSnapshot, e: MeasureEvent, now: number): Refusal | null {
  const d = decide(s, e, now);
  return d.accepted ? null : d.refusal.refusal;
}

/** The refusal's English detail, or null when the event is allowed. */
export function check(s: MeasureSnapshot, e: MeasureEvent, now: number): string | null {
  return refusalOf(s, e, now)?.detail ?? null;
}

/** Applies an event at `now`. Throws with the refusal's words when the machine does not allow it. */
export function apply(s: MeasureSnapshot, e: MeasureEvent, now: number): MeasureSnapshot {
  const d = decide(s, e, now);
  if (!d.accepted) throw d.refusal;
  return d.snapshot;
}

export function deadlines(s: MeasureSnapshot): Deadline[] {
  return deriveDeadlines(s.context.policy, s.context.facts);
}

/** `message` is the English detail; `refusal` carries the code and the Danish words. */
export class RefusedEvent extends Error {
  constructor(
    readonly state: MeasureState,
    readonly refusal: Refusal,
  ) {
    super(refusal.detail);
    this.name = 'RefusedEvent';
  }
}

// The measure machine as plain functions over plain data: what the workflow, the API's preview and
// the tests call. Snapshots persist as a small DTO (state + context), never as live actors.
import { initialTransition, transition } from 'xstate';
import { deriveDeadlines, type Deadline } from './deadlines';
import type { MachineEvent, MeasureEvent } from './events';
import { MACHINE_VERSION, measureMachine, type MeasureContext } from './measure-machine';
import { refusal, type MeasureState, type Refusal } from './refusals';
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

/** Why the event would be refused after the clock reads `now` (code, Danish message, English
 *  detail), or null when it is allowed. */
export function refusalOf(s: MeasureSnapshot, e: MeasureEvent, now: number): Refusal | null {
  const ticked = tick(s, now);
  return refusal(ticked.state, ticked.context.policy, ticked.context.facts, e);
}

/** The refusal's English detail, or null when the event is allowed. */
export function check(s: MeasureSnapshot, e: MeasureEvent, now: number): string | null {
  return refusalOf(s, e, now)?.detail ?? null;
}

export function tick(s: MeasureSnapshot, now: number): MeasureSnapshot {
  return step(s, { type: 'clock', now });
}

function step(s: MeasureSnapshot, e: MachineEvent): MeasureSnapshot {
  const [next] = transition(measureMachine, live(s), e);
  return dto(next);
}

/** Applies an event at `now`. Throws with the refusal's words when the machine does not allow it. */
export function apply(s: MeasureSnapshot, e: MeasureEvent, now: number): MeasureSnapshot {
  const ticked = tick(s, now);
  const why = refusal(ticked.state, ticked.context.policy, ticked.context.facts, e);
  if (why !== null) throw new RefusedEvent(ticked.state, why);
  const next = step(ticked, e);
  if (next === ticked || (next.state === ticked.state && next.context === ticked.context))
    throw new RefusedEvent(ticked.state, { code: 'not-handled', message: `hændelsen ${e.type} kunne ikke behandles`, detail: `${e.type} was not handled` });
  return next;
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

// The measure machine as plain functions over plain data: what the workflow, the preview and the
// tests call. Snapshots persist as a small DTO (state + context), never as live actors.
import { createActor, initialTransition, type AnyActorScope, type AnyStateMachine } from 'xstate';
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

// The live machine snapshot behind each DTO this module made: the next event on it need not
// resolve the state again. A DTO read from a payload (a new run, a query) is resolved once.
const lives = new WeakMap<MeasureSnapshot, Live>();

function live(s: MeasureSnapshot): Live {
  let l = lives.get(s);
  if (!l) lives.set(s, (l = measureMachine.resolveState({ value: s.state, context: s.context })));
  return l;
}

function dto(s: Live): MeasureSnapshot {
  const d: MeasureSnapshot = { machineVersion: MACHINE_VERSION, state: s.value as MeasureState, context: s.context };
  lives.set(d, s);
  return d;
}

// xstate's `transition()` builds a throwaway actor per call, and building it runs the machine's
// context factory without input (which throws, and is caught): a quarter of an event's cost. The
// machine spawns nothing and its actions are all `assign`s, so one inert scope serves every call.
let scope: AnyActorScope | undefined;
function inertScope(): AnyActorScope {
  if (scope) return scope;
  const self = createActor(measureMachine as AnyStateMachine);
  scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
  return scope;
}

export function newMeasure(policy: MeasurePolicy): MeasureSnapshot {
  const [s] = initialTransition(measureMachine, { policy });
  return dto(s);
}

/** The clock reads `now`. A clock that has not moved on changes nothing in a snapshot this module
 *  made (its state is already the one its facts route to), so the validator, the handler and the
 *  loop of one activation tick once between them. */
export function tick(s: MeasureSnapshot, now: number): MeasureSnapshot {
  if (now <= s.context.facts.now && lives.has(s)) return s;
  return step(s, { type: 'clock', now });
}

function step(s: MeasureSnapshot, e: MachineEvent): MeasureSnapshot {
  return dto(measureMachine.transition(live(s), e, inertScope()));
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

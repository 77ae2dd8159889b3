// Why an event cannot be applied to a measure in its current state, in words a case-system
// developer can act on. The machine judges (its states' `on` and the `allowed` guard); this only
// words the judgement for the API's 409.
import type { Facts } from './facts';
import type { MeasureEvent } from './event-catalogue';
import type { MeasureState } from './measure-machine';
import type { MeasurePolicy } from '../policies/types';
import { brokenRule } from './rules';

/** The words for an event the machine refused in `state`: `listened` says whether the state
 *  listens to the event's type at all (when it does, a rule of the policy refused it). */
export function refusalInWords(
  state: MeasureState,
  listened: boolean,
  policy: MeasurePolicy,
  f: Facts,
  e: MeasureEvent,
): string {
  if (listened) return brokenRule(policy, f, e) ?? `${e.type} was not handled`;
  if (e.type === 'measure.granted') return 'the measure has already been granted';
  if (state === 'closed')
    return `the measure was closed on ${f.closed?.closedOn}; ${e.type} is not allowed on a closed measure`;
  if (e.type === 'measure.follow-up-held' && state === 'ordered')
    return 'a follow-up cannot be held before the startup meeting has been held';
  if (e.type === 'measure.startup-meeting-held')
    return `the startup meeting was already held on ${f.startupMeeting?.heldOn}`;
  return `${e.type} is not allowed while the measure is ${state}`;
}

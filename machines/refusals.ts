// Why an event cannot be applied to a measure in its current state. The machine judges (its states'
// `on` and the `allowed` guard); this only words the judgement for the API's 409: a stable English
// `code`, the Danish message a caseworker can be shown, and the English detail for developers.
import type { Facts } from './facts';
import type { MeasureEvent } from './event-catalogue';
import type { MeasureState } from './measure-machine';
import type { MeasurePolicy } from '../policies/types';
import { brokenRule, dkDate, type Refusal } from './rules';

export type { Refusal } from './rules';

const no = (code: string, message: string, detail: string): Refusal => ({ code, message, detail });

/** The words for an event the machine refused in `state`: `listened` says whether the state
 *  listens to the event's type at all (when it does, a rule of the policy refused it). */
export function refusalInWords(
  state: MeasureState,
  listened: boolean,
  policy: MeasurePolicy,
  f: Facts,
  e: MeasureEvent,
): Refusal {
  if (listened)
    return (
      brokenRule(policy, f, e) ??
      no('not-handled', `hændelsen ${e.type} kunne ikke behandles`, `${e.type} was not handled`)
    );
  if (e.type === 'measure.granted')
    return no('already-granted', 'foranstaltningen er allerede bevilget', 'the measure has already been granted');
  if (state === 'closed')
    return no(
      'measure-closed',
      `foranstaltningen blev afsluttet ${dkDate(f.closed?.closedOn)}; der kan ikke registreres mere på den`,
      `the measure was closed on ${f.closed?.closedOn}; ${e.type} is not allowed on a closed measure`,
    );
  if (e.type === 'measure.follow-up-held' && state === 'ordered')
    return no(
      'follow-up-before-startup-meeting',
      'en opfølgning kan ikke holdes, før opstartsmødet er holdt',
      'a follow-up cannot be held before the startup meeting has been held',
    );
  if (e.type === 'measure.startup-meeting-held')
    return no(
      'startup-meeting-already-held',
      `opstartsmødet er allerede holdt ${dkDate(f.startupMeeting?.heldOn)}`,
      `the startup meeting was already held on ${f.startupMeeting?.heldOn}`,
    );
  return no(
    'not-allowed-in-state',
    `hændelsen ${e.type} kan ikke registreres nu (foranstaltningen er i tilstanden ${state})`,
    `${e.type} is not allowed while the measure is ${state}`,
  );
}

// The events the measure machine understands: the contract's event types (validated at the API
// edge, so plain types here) plus the clock, through which time enters as data.
//
// This is the one list of contract event types. Everything else that must exist per type is a
// `Record` over `ContractEventType` checked by the compiler: the zod schema of its data
// (api/event-schemas.ts), the fact the machine records and the rules that judge it
// (measure-machine.ts, refusals.ts), and its entry in the measure's history (history.ts). Adding a
// type here without those is a compile error.
import type { IsoDate } from './dates';
import type { ActionPlanDecision, ApproverRole, CloseReason, Participant } from '../policies/types';

export interface GrantData {
  municipality: string;
  measureType: string;
  package?: string;
  caseId: string;
  caseworkerId: string;
  teamId?: string;
  /** Personal data: kept only when the policy has age rules, and encrypted in Temporal. */
  childBirthDate?: IsoDate;
  grantedOn: IsoDate;
  startOn: IsoDate;
  prerequisites?: string[];
}

/** The `data` of each contract event type. */
export interface EventData {
  'measure.granted': GrantData;
  'measure.treatment-plan-received': { receivedOn: IsoDate };
  'measure.startup-meeting-held': { heldOn: IsoDate };
  'measure.follow-up-held': {
    heldOn: IsoDate;
    participants: Participant[];
    actionPlanDecision?: ActionPlanDecision;
    nextMeetingOn?: IsoDate;
  };
  'measure.session-held': { heldOn: IsoDate };
  /** `decidedOn`: the day the change was decided (default: the day it was sent). */
  'measure.package-changed': { package: string; effectiveOn: IsoDate; reason: string; decidedOn?: IsoDate };
  /** A new `until` (a limit in time) and/or a new `count` (a count limit continued after its
   *  evaluation); `decidedOn` defaults to the day the event was sent. */
  'measure.extended': { until?: IsoDate; count?: number; approvedBy: ApproverRole; decidedOn?: IsoDate };
  'measure.closed': { closedOn: IsoDate; reason: CloseReason };
  'measure.obligation-met': { obligation: string; metOn: IsoDate };
  /** Sent by the provider: what was delivered on a day (hours and/or appointments), checked
   *  against the delivery caps (a package's appointments per week, "maksimalt 2 timer ugentligt"). */
  'measure.delivery-reported': { deliveredOn: IsoDate; hours?: number; appointments?: number };
  /** A dated case event an obligation counts from (a request, a release, the start of an intensive
   *  period), named by the policy's slug; it may precede the grant. */
  'case.milestone-reported': { milestone: string; occurredOn: IsoDate };
  'child.placed': { placedOn: IsoDate };
  'child.placement-ended': { endedOn: IsoDate };
  'family.moved-away': { movedOn: IsoDate };
}

export type ContractEventType = keyof EventData;

/** The field of each type's data that dates what happened (null: the event is dated when it is
 *  decided, as an extension is). The machine checks these dates against the grant and the clock. */
type DateField<K extends ContractEventType> = {
  [F in keyof EventData[K]]-?: EventData[K][F] extends IsoDate ? F : never;
}[keyof EventData[K]];

export const CONTRACT_EVENTS = {
  'measure.granted': { dated: 'grantedOn' },
  'measure.treatment-plan-received': { dated: 'receivedOn' },
  'measure.startup-meeting-held': { dated: 'heldOn' },
  'measure.follow-up-held': { dated: 'heldOn' },
  'measure.session-held': { dated: 'heldOn' },
  'measure.package-changed': { dated: 'effectiveOn' },
  'measure.extended': { dated: null },
  'measure.closed': { dated: 'closedOn' },
  'measure.obligation-met': { dated: 'metOn' },
  'measure.delivery-reported': { dated: 'deliveredOn' },
  'case.milestone-reported': { dated: 'occurredOn' },
  'child.placed': { dated: 'placedOn' },
  'child.placement-ended': { dated: 'endedOn' },
  'family.moved-away': { dated: 'movedOn' },
} as const satisfies { [K in ContractEventType]: { dated: DateField<K> | null } };

export const CONTRACT_EVENT_TYPES = Object.keys(CONTRACT_EVENTS) as [ContractEventType, ...ContractEventType[]];

interface Envelope {
  /** `source` + `/` + `id` of the CloudEvent: unique per event. */
  eventId: string;
  /** The instant the case system stamped on the event (`time`), or when it was received. */
  at: number;
}

export type EventOf<K extends ContractEventType> = Envelope & { type: K; data: EventData[K] };

export type MeasureEvent = { [K in ContractEventType]: EventOf<K> }[ContractEventType];

/** "It is now": sent by the workflow when it wakes and before every event. */
export interface ClockEvent {
  type: 'clock';
  now: number;
}

export type MachineEvent = MeasureEvent | ClockEvent;

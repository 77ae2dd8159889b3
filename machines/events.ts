// The events the measure machine understands: the contract's event types (validated at the API
// edge, so plain types here) plus the clock, through which time enters as data.
import type { IsoDate } from './dates';
import type { ApproverRole, Participant } from '../policies/types';

interface Envelope {
  /** `source` + `/` + `id` of the CloudEvent: unique per event. */
  eventId: string;
  /** The instant the case system stamped on the event (`time`), or when it was received. */
  at: number;
}

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

export type { CloseReason } from '../policies/types';
import type { CloseReason } from '../policies/types';

export type MeasureEvent =
  | (Envelope & { type: 'measure.granted'; data: GrantData })
  | (Envelope & { type: 'measure.treatment-plan-received'; data: { receivedOn: IsoDate } })
  | (Envelope & { type: 'measure.startup-meeting-held'; data: { heldOn: IsoDate } })
  | (Envelope & {
      type: 'measure.follow-up-held';
      data: { heldOn: IsoDate; participants: Participant[]; actionPlanDecision?: 'keep' | 'revise'; nextMeetingOn?: IsoDate };
    })
  | (Envelope & { type: 'measure.session-held'; data: { heldOn: IsoDate } })
  | (Envelope & { type: 'measure.package-changed'; data: { package: string; effectiveOn: IsoDate; reason: string; decidedOn?: IsoDate } })
  | (Envelope & {
      type: 'measure.extended';
      /** A new `until` (a limit in time) and/or a new `count` (a count limit continued after its
       *  evaluation); `decidedOn` defaults to the day the event was sent. */
      data: { until?: IsoDate; count?: number; approvedBy: ApproverRole; decidedOn?: IsoDate };
    })
  | (Envelope & { type: 'measure.closed'; data: { closedOn: IsoDate; reason: CloseReason } })
  | (Envelope & { type: 'measure.obligation-met'; data: { obligation: string; metOn: IsoDate } })
  | (Envelope & { type: 'child.placed'; data: { placedOn: IsoDate } })
  | (Envelope & { type: 'child.placement-ended'; data: { endedOn: IsoDate } })
  | (Envelope & { type: 'family.moved-away'; data: { movedOn: IsoDate } });

export type ContractEventType = MeasureEvent['type'];

/** "It is now": sent by the workflow when it wakes and before every event. */
export interface ClockEvent {
  type: 'clock';
  now: number;
}

export type MachineEvent = MeasureEvent | ClockEvent;

// The workflows' messages and inputs: imported by the API, the activities and the tests without
// pulling in the workflows' code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MeasureEvent } from '../machines/event-catalogue';
import type { MeasureSnapshot } from '../machines/measure';
import type { MeasureState } from '../machines/measure-machine';
import type { MeasureView } from '../machines/measure-view';
import type { Warning } from '../machines/rules';
import type { PolicyAudit, PolicyChange, PolicyChangeResult } from '../machines/policy-change';
import type { MeasurePolicy } from '../policies/types';

export type { PolicyAudit, PolicyChange, PolicyChangeResult } from '../machines/policy-change';

/** A snapshot as continue-as-new carries it: without its policy, which the input carries once
 *  (`MeasureWorkflowInput.policy`). Runs continued before carried the policy in both places. */
export type CarriedSnapshot = Omit<MeasureSnapshot, 'context'> & {
  context: Omit<MeasureSnapshot['context'], 'policy'> & { policy?: MeasurePolicy };
};

export interface Carried {
  snapshot: CarriedSnapshot;
  /** Event ids already applied: updateId dedups only within a run. Bounded. */
  seen: string[];
  raised: string[];
  revision: number;
  /** Policy changes applied to this measure (its audit trail), carried across continue-as-new. */
  audit?: PolicyAudit[];
  /** When the last event was applied (workflow time): the settling window counts from it. */
  lastEventAt?: number;
  /** Ladders with an escalation raised and not yet resolved. Absent in runs from before
   *  resolutions: then every ladder raised is taken as open. */
  open?: string[];
}

export interface MeasureWorkflowInput {
  measureId: string;
  policy: MeasurePolicy;
  carried?: Carried;
  /** The settling window (ISO duration, INDSATSFLOW_SETTLE): no escalation is raised until the
   *  measure has been this long without an event applied. Absent: none (measures started before). */
  settle?: string;
}

export interface EventResult {
  measureId: string;
  state: MeasureState;
  duplicate: boolean;
  /** Soft rules the event broke: it was accepted, and the case system is told (a stable `code`, the
   *  Danish `message`, the English `detail`; plain English strings in answers recorded before). */
  warnings?: Warning[];
}

/** One event of a batch that the machine refused; the batch's other events are still judged. */
export interface RefusedResult {
  measureId: string;
  /** `message`: the English detail; `code` and `danish`: the stable code and the caseworker's words
   *  (absent in answers recorded before refusals carried them). */
  refused: { state: MeasureState; message: string; code?: string; danish?: string };
}

export type BatchItemResult = EventResult | RefusedResult;

export const eventUpdate = defineUpdate<EventResult, [MeasureEvent]>('event');
/** The events of one measure from one batch, applied in order in one update; deadlines are
 *  judged only after the last. Refused only when none of them would be applied. */
export const eventsUpdate = defineUpdate<BatchItemResult[], [MeasureEvent[]]>('events');
export const measureQuery = defineQuery<MeasureView>('measure');
/** Whether the measure has applied this event (`source/id`): how the API answers a resend to a
 *  closed measure, whose workflow can no longer take an update, `duplicate: true`. */
export const seenQuery = defineQuery<boolean, [string]>('seen');
/** Moves a running measure to a new policy version (administrators' rollouts). Idempotent; an
 *  older version than the one running is refused. */
export const policyUpdate = defineUpdate<PolicyChangeResult, [PolicyChange]>('policy');
/** The machine snapshot and raised escalations: what a preview simulates from. */
export const snapshotQuery = defineQuery<{ snapshot: MeasureSnapshot; raised: string[]; revision: number }>('snapshot');

export interface RolloutInput {
  rolloutId: string;
  municipality: string;
  version: number;
  measureTypes: string[];
  effectiveFrom: string;
  reason: string;
  author: string;
  batchSize?: number;
  pauseMs?: number;
  concurrency?: number;
  /** Carried across continue-as-new. */
  progress?: RolloutProgress;
}

export interface RolloutProgress {
  started: boolean;
  cursor: string;
  /** The second pass from the start, for measures projected late under an older version. */
  sweep: boolean;
  processed: number;
  counts: Record<string, number>;
}

/** Stops a policy rollout between batches (or before it starts). */
export const stopRolloutSignal = defineSignal<[]>('stop');

// The measure workflow's messages and inputs: imported by the API and the tests without pulling
// in the workflow's code.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { MeasureEvent } from '../machines/events';
import type { MeasureSnapshot } from '../machines/measure';
import type { MeasureState } from '../machines/refusals';
import type { MeasurePolicy } from '../policies/types';
import type { MeasureView } from './view';
import type { PolicyAudit, PolicyChange, PolicyChangeResult } from './policy-change';

export type { PolicyAudit, PolicyChange, PolicyChangeResult } from './policy-change';

export interface Carried {
  snapshot: MeasureSnapshot;
  /** Event ids already applied: updateId dedups only within a run. Bounded. */
  seen: string[];
  raised: string[];
  revision: number;
  /** Policy changes applied to this measure (its audit trail), carried across continue-as-new. */
  audit?: PolicyAudit[];
}

export interface MeasureWorkflowInput {
  measureId: string;
  policy: MeasurePolicy;
  carried?: Carried;
}

export interface EventResult {
  measureId: string;
  state: MeasureState;
  duplicate: boolean;
  /** Soft rules the event broke: it was accepted, and the case system is told. */
  warnings?: string[];
}

export const eventUpdate = defineUpdate<EventResult, [MeasureEvent]>('event');
export const measureQuery = defineQuery<MeasureView>('measure');
/** Moves a running measure to a new policy version (administrators' rollouts). Idempotent; an
 *  older version than the one running is refused. */
export const policyUpdate = defineUpdate<PolicyChangeResult, [PolicyChange]>('policy');
/** The machine snapshot and raised escalations: what a preview simulates from. */
export const snapshotQuery = defineQuery<{ snapshot: MeasureSnapshot; raised: string[]; revision: number }>('snapshot');


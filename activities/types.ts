// The activities the workflows call, as an interface: workflows import only this type.
import type { Resolution } from '../machines/escalations';
import type { MeasureView } from '../machines/measure-view';
import type { Facts } from '../machines/facts';
import type { MeasureState } from '../machines/measure-machine';

export interface EscalationInput {
  measureId: string;
  workflowId: string;
  municipality: string;
  deadlineId: string;
  deadlineKind: string;
  dueOn: string;
  level: number;
  role: string;
  /** When the workflow decided to raise it (workflow time, so replays agree). */
  raisedAt: string;
  caseworkerId: string | null;
  teamId: string | null;
}

/** Escalations end: the deadline behind them was met, cancelled or moved. */
export interface ResolutionInput {
  measureId: string;
  /** Workflows name it in their id; given here only by callers outside a workflow. */
  municipality?: string;
  /** Workflow time, so replays agree. */
  resolvedAt: string;
  /** Per ladder: the deadline ids it has had (rows of any of them still open are resolved). */
  ladders: Array<{ deadlineIds: string[]; resolution: Resolution }>;
}

export interface MachineState {
  state: MeasureState;
  facts: Facts;
  raised: string[];
}

export interface RolloutBatchInput {
  rolloutId: string;
  municipality: string;
  version: number;
  measureTypes: string[];
  reason: string;
  author: string;
  /** Measures are visited in measure_id order, after this one. */
  after: string;
  limit: number;
  /** Updates in flight at once (each to a different workflow). */
  concurrency: number;
}

export interface RolloutBatchResult {
  processed: number;
  /** The cursor for the next batch; null when this was the last. */
  next: string | null;
  counts: Record<string, number>;
}

export interface RolloutActivities {
  rolloutBegin(i: { rolloutId: string }): Promise<{ total: number }>;
  rolloutBatch(i: RolloutBatchInput): Promise<RolloutBatchResult>;
  rolloutFinish(i: { rolloutId: string; status: 'completed' | 'stopped' | 'failed' }): Promise<void>;
}

export interface MeasureActivities {
  /** `machine`: what a policy preview simulates from, stored beside the projection. */
  projectMeasure(view: MeasureView, machine?: MachineState): Promise<void>;
  raiseEscalation(e: EscalationInput): Promise<{ inserted: boolean }>;
  resolveEscalations(r: ResolutionInput): Promise<{ resolved: number }>;
}

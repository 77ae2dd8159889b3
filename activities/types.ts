// The activities the workflows call, as an interface: workflows import only this type.
import type { MeasureView } from '../workflows/view';

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

export interface MeasureActivities {
  projectMeasure(view: MeasureView): Promise<void>;
  raiseEscalation(e: EscalationInput): Promise<{ inserted: boolean }>;
}

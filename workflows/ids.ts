// Workflow identifiers. Built only from the municipality slug and the case system's opaque
// measureId: the contract forbids personal data in either, and these ids show up everywhere.
export const TASK_QUEUE = 'indsatsflow-measures';

export function measureWorkflowId(municipality: string, measureId: string): string {
  return `measure/${municipality}/${measureId}`;
}

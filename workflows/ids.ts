// Workflow identifiers, one function per workflow kind. Built only from the municipality slug, the
// case system's opaque measureId and a policy version: the contract forbids personal data in
// these, and they show up everywhere (the Temporal UI, logs, the projection).
export const TASK_QUEUE = 'indsatsflow-measures';

export function measureWorkflowId(municipality: string, measureId: string): string {
  return `measure/${municipality}/${measureId}`;
}

export function policyRolloutWorkflowId(municipality: string, version: number): string {
  return `policy-rollout/${municipality}/v${version}`;
}

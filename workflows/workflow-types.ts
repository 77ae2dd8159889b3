// The workflow types as clients name them: the registered name beside the function's type, so a
// start is type-checked (its args) without loading workflow code into the client (type imports).
import type { measureWorkflow, policyRolloutWorkflow } from './index';
import type * as Workflows from './index';

export type MeasureWorkflow = typeof measureWorkflow;
export type PolicyRolloutWorkflow = typeof policyRolloutWorkflow;

/** The names the worker registers (the exported function names of the workflow bundle). */
export const WORKFLOW_TYPES = {
  measure: 'measureWorkflow',
  policyRollout: 'policyRolloutWorkflow',
} as const satisfies Record<string, keyof typeof Workflows>;

// The workflow bundle's entry point: only workflows, nothing heavy (no zod, no pg).
export { measureWorkflow } from './measure-workflow';
export { policyRolloutWorkflow } from './rollout-workflow';

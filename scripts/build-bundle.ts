// `npm run build`: the workflow bundle, once, to dist/workflow-bundle.js (temporal/bundle.ts loads
// it in production). The same bundler the worker would run at start, so the code is identical.
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BUNDLE_PATH, WORKFLOW_BUNDLE_OPTIONS } from '../temporal/bundle';

async function main() {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
  });
  mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
  writeFileSync(BUNDLE_PATH, code);
  console.log(
    `build: ${BUNDLE_PATH} (${(code.length / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// The workflow bundle `npm run build` writes (scripts/build-bundle.ts), so that a production worker
// starts in a second instead of bundling the workflow code with webpack at every start.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BUNDLE_PATH = join(__dirname, '..', 'dist', 'workflow-bundle.js');

/**
 * WORKFLOW_BUNDLE names a bundle to load (it must exist); otherwise, with NODE_ENV=production, the
 * one in dist/ when it is there. In development none is loaded: a bundle left over from an earlier
 * build would run yesterday's workflow code.
 */
export function prebuiltBundle(
  env: Record<string, string | undefined> = process.env,
): { codePath: string } | undefined {
  if (env.WORKFLOW_BUNDLE) {
    const codePath = resolve(env.WORKFLOW_BUNDLE);
    if (!existsSync(codePath))
      throw new Error(`WORKFLOW_BUNDLE=${env.WORKFLOW_BUNDLE}: no such file (npm run build writes it)`);
    return { codePath };
  }
  if (env.NODE_ENV === 'production' && existsSync(BUNDLE_PATH)) return { codePath: BUNDLE_PATH };
  return undefined;
}

/** Bundled with the workflows wherever a bundle is made (the worker, `npm run build`, the tests, the
 *  replay): tracing that engages only for traced calls (workflows/tracing-interceptors.ts). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing-interceptors')];

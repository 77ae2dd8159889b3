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

export const WORKFLOWS_PATH = require.resolve('../workflows/index');

/** Bundled with the workflows wherever a bundle is made (the worker, `npm run build`, the tests, the
 *  replay): tracing that engages only for traced calls (workflows/tracing-interceptors.ts). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing-interceptors')];

/**
 * Modules evaluated once per worker thread and shared by every workflow in it, instead of once per
 * workflow: the SDK runs each workflow's module scopes again when it creates the workflow (a grant,
 * or a cached measure evicted and woken again), and for the pure core that was most of a new
 * workflow's CPU and most of a cached measure's memory (issue 14, bench/RESULTS.md).
 *
 * Only modules with no per-workflow state belong here: the machine (its memo tables are keyed by
 * immutable facts and policies, so a shared entry is the same answer any workflow would compute),
 * xstate (the machine is built once; transitions allocate their own snapshots) and
 * temporal-polyfill. Never `@temporalio/workflow`, whose module state is the running workflow, nor
 * OpenTelemetry's API, which registers per-workflow globals (a traced workflow loads it itself:
 * workflows/tracing-interceptors.ts). The SDK deep-freezes what is preloaded, so a module that
 * writes to its own exports fails loudly in the tests rather than leaking between workflows.
 */
export const WORKFLOW_PRELOAD_MODULES = [
  'temporal-polyfill',
  'xstate',
  ...[
    'dates',
    'deadlines',
    'delivery',
    'escalations',
    'event-catalogue',
    'facts',
    'history',
    'measure-machine',
    'measure-view',
    'measure',
    'policy-change',
    'refusals',
    'rules',
    'statutory',
  ].map((m) => require.resolve(`../machines/${m}`)),
];

/** What every bundle of the measure workflows is built from (bundleWorkflowCode's options). */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  preloadModules: WORKFLOW_PRELOAD_MODULES,
};

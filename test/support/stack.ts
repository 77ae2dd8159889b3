// The real stack for end-to-end tests: a Temporal dev server (in memory), embedded PostgreSQL in a
// temporary folder, the worker and the API on a free port, plus the test municipality whose
// timers run in seconds. Nothing is mocked.
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { EncryptionCodec } from '../../codec/encryption-codec';
import { catalogueSource } from '../../policies/source';
import { startServices, type ServiceOptions, type Services } from '../../services';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../temporal/bundle';
import { testMunicipality } from '../fixtures/test-policy';
import { clusterApis, nextApi, startClusterServices } from './cluster-stack';

export interface TestStack extends Services {
  post(body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  workflowBundle: { code: string };
  /** The codec the stack's payloads are encrypted with: replays decode with it (on the cluster, the
   *  roles' key ring; embedded, TEST_CODEC). */
  payloadCodec: PayloadCodec;
}

/** A fixed key, so that histories recorded by one run replay in another (test/replay.test.ts). On the
 *  cluster (npm run test:cluster) the role processes hold the same key as INDSATSFLOW_CODEC_KEY,
 *  which they call `env`. */
export const TEST_CODEC = new EncryptionCodec(
  new Map([
    ['test', Buffer.alloc(32, 7)],
    ['env', Buffer.alloc(32, 7)],
  ]),
  clusterApis().length ? 'env' : 'test',
);

let runtimeInstalled = false;

export async function startTestStack(options: Partial<ServiceOptions> = {}): Promise<TestStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  if (clusterApis().length) return withHttp(await startClusterServices({ codec: TEST_CODEC, ...options }, quietLogger));
  const dataDir = mkdtempSync(join(tmpdir(), 'indsatsflow-test-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as its own user when we are root
  const workflowBundle = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: quietLogger,
  });
  const s = await startServices({
    dataDir,
    uiPort: null,
    policies: catalogueSource([testMunicipality()]),
    workflowBundle,
    codec: TEST_CODEC,
    // Continue-as-new is suggested after 60 events instead of 4,096, so the tests reach it.
    temporalArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
    // Escalations wait for a measure to be quiet this long: short, so the tests need not wait.
    settle: 'PT2S',
    ...options,
  });
  const stack = withHttp({ ...s, workflowBundle, payloadCodec: TEST_CODEC });
  return {
    ...stack,
    stop: async () => {
      await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The suite's credentials on the cluster (access control on there, as deployed); none locally. */
export function testAuthHeaders(): Record<string, string> {
  const key = process.env.INDSATSFLOW_TEST_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

function withHttp(s: Services & { workflowBundle: { code: string }; payloadCodec: PayloadCodec }): TestStack {
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${nextApi(s.apiUrl)}${path}`, {
      method,
      headers: { ...testAuthHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ...s,
    post: (body) => request('POST', '/v1/events', body),
    get: (path) => request('GET', path),
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

/** Polls until `fn` returns something truthy; visibility and escalations are eventually there. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

let counter = 0;
/** A CloudEvent with a fresh id. */
export function event(
  type: string,
  subject: string,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  counter += 1;
  return {
    specversion: '1.0',
    id: `evt-${process.pid}-${Date.now()}-${counter}`,
    source: 'test/case-system',
    type,
    time: new Date().toISOString(),
    subject,
    data,
    ...extra,
  };
}

let measures = 0;
export function measureId(prefix = 'M'): string {
  measures += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${measures}`;
}

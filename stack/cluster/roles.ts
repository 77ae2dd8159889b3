// The service's roles as separate processes against the cluster (`npm run serve -- <role>`), the
// way compose.yaml runs them: N APIs, N workers, an outbox; each ready when its probe says so.
import { join, resolve } from 'node:path';
import { freePort } from '../ports';
import { supervise, waitReady, type Supervised } from './process';

const ROOT = resolve(__dirname, '..', '..');

export type Role = 'api' | 'worker' | 'outbox';

export interface RoleProcess {
  role: Role;
  name: string;
  /** The API's base URL, or the worker's/outbox's probe port. */
  url: string;
  proc: Supervised;
}

export interface RoleEnv {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  DATABASE_URL: string;
  /** The payload key ring every API and worker shares (a directory; roles/common.ts). */
  INDSATSFLOW_KEYRING: string;
  [k: string]: string | undefined;
}

export async function startRole(
  role: Role,
  index: number,
  env: RoleEnv,
  log?: (line: string) => void,
  port?: number,
): Promise<RoleProcess> {
  const p = port ?? (await freePort());
  const name = `${role}-${index}`;
  const extra: Record<string, string> = { PORT: String(p), HOST: '127.0.0.1' };
  if (role === 'worker') extra.TEMPORAL_METRICS_BIND = `127.0.0.1:${await freePort()}`;
  const proc = supervise(name, process.execPath, ['--import', 'tsx', join(ROOT, 'serve.ts'), role], {
    cwd: ROOT,
    env: { ...process.env, ...env, ...extra },
    log: log && ((l) => log(`[${name}] ${l}`)),
  });
  const url = `http://127.0.0.1:${p}`;
  await waitReady(
    proc,
    async () => {
      const res = await fetch(`${url}/health/${role === 'api' ? 'live' : 'ready'}`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
    120_000,
  );
  return { role, name, url, proc };
}

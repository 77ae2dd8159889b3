// Faults of the embedded stack's own processes, on the real stack, each once: the Temporal dev
// server killed, PostgreSQL hung and killed, the whole service killed mid-burst and started again
// in the same data folder.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dateOf } from '../machines/dates';
import { freePort } from '../stack/ports';
import { processAlive } from '../stack/processes';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const grant = (id: string, municipality = 'testby') =>
  municipality === 'testby'
    ? event('measure.granted', id, {
        municipality,
        measureType: 'hurtig-stoette',
        package: 'groen',
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-nord',
        grantedOn: today(),
        startOn: today(),
      })
    : event('measure.granted', id, {
        municipality,
        measureType: 'familiebehandling',
        package: 'gul',
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-nord',
        grantedOn: today(),
        startOn: today(),
      });

/** The processes whose parent is `pid`, and theirs. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const e of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parentOf.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parentOf)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

async function timedGet(url: string): Promise<{ ms: number; status: number; body: any }> {
  const t0 = Date.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await res.json();
  return { ms: Date.now() - t0, status: res.status, body };
}

describe('faults of the embedded servers while the service runs', { timeout: 240_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack({ persistTemporal: true });
  });
  after(async () => {
    await s?.stop();
  });

  it('a Temporal dev server killed with SIGKILL is started again and events are accepted again', async () => {
    const before = measureId('TK');
    assert.equal((await s.post(grant(before))).status, 202);
    const pid = s.stack!.temporal.pid()!;
    process.kill(-pid, 'SIGKILL');
    await eventually(async () => !processAlive(pid), 'the dev server gone', 5_000);

    // While it is down, /health says so within a second.
    const down = await timedGet(`${s.apiUrl}/health`);
    assert.ok(down.ms < 1_000, `/health answered in ${down.ms} ms`);
    assert.equal(down.status, 503);
    assert.notEqual(down.body.temporal, 'ok');
    assert.equal(down.body.database, 'ok');

    await eventually(
      async () => s.stack!.temporal.restarts() === 1 && s.stack!.temporal.pid() !== undefined,
      'the dev server started again',
      60_000,
    );
    assert.notEqual(s.stack!.temporal.pid(), pid);
    const after = measureId('TK');
    const accepted = await eventually(
      async () => {
        const r = await s.post(grant(after));
        return r.status === 202 && r;
      },
      'a grant accepted after the restart',
      60_000,
    );
    assert.equal(accepted.status, 202);
    await eventually(
      async () => (await s.get(`/v1/measures/${after}`)).status === 200,
      'the new measure projected',
      30_000,
    );
    // Persisted: the measure granted before the kill is still a running workflow.
    const r = await s.post(
      event('measure.follow-up-held', before, {
        heldOn: today(),
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    );
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal((await timedGet(`${s.apiUrl}/health`)).status, 200);
  });

  it('PostgreSQL hung, then killed: the process lives, /health says so within a second, and it comes back', async () => {
    const postmaster = s.stack!.postgres.pid()!;
    const tree = [postmaster, ...descendants(postmaster)];
    // Hung: every PostgreSQL process stopped; connections neither answer nor fail.
    for (const p of tree) process.kill(p, 'SIGSTOP');
    try {
      const h = await timedGet(`${s.apiUrl}/health`);
      assert.ok(h.ms < 1_000, `/health answered in ${h.ms} ms`);
      assert.equal(h.status, 503);
      assert.notEqual(h.body.database, 'ok');
      assert.ok(!JSON.stringify(h.body).includes('127.0.0.1'), 'no addresses in the answer');
      // A request that needs the database fails within the pool's timeouts instead of hanging.
      const t0 = Date.now();
      const res = await fetch(`${s.apiUrl}/v1/measures?municipality=testby`, { signal: AbortSignal.timeout(20_000) });
      assert.ok(res.status >= 500, `answered ${res.status}`);
      assert.ok(Date.now() - t0 < 15_000, `answered after ${Date.now() - t0} ms`);
    } finally {
      for (const p of tree) process.kill(p, 'SIGCONT');
    }
    await eventually(
      async () => (await timedGet(`${s.apiUrl}/health`)).status === 200,
      'healthy again after the hang',
      30_000,
    );

    // Killed: every pooled connection is reset under the service's feet; it must not die of it.
    process.kill(postmaster, 'SIGKILL');
    await eventually(async () => !processAlive(postmaster), 'the postmaster gone', 5_000);
    const down = await timedGet(`${s.apiUrl}/health`);
    assert.ok(down.ms < 1_000, `/health answered in ${down.ms} ms`);
    assert.notEqual(down.body.database, 'ok');
    await eventually(async () => s.stack!.postgres.restarts() === 1, 'PostgreSQL started again', 60_000);
    await eventually(
      async () => (await timedGet(`${s.apiUrl}/health`)).status === 200,
      'healthy again after the restart',
      30_000,
    );
    const id = measureId('PK');
    await eventually(
      async () => (await s.post(grant(id))).status === 202,
      'a grant accepted after the restart',
      60_000,
    );
    await eventually(
      async () => (await s.get(`/v1/measures/${id}`)).status === 200,
      'projected after the restart',
      30_000,
    );
  });
});

describe(
  'the whole service killed with SIGKILL mid-burst, then started again in the same folder',
  { timeout: 420_000 },
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'indsatsflow-fault-'));
    chmodSync(dataDir, 0o755);
    let service: ChildProcess | undefined;
    let ports: { api: number; temporal: number; ui: number };

    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli.ts', 'start'], {
        cwd: resolve(__dirname, '..'),
        env: {
          ...process.env,
          INDSATSFLOW_DATA: dataDir,
          PORT: String(ports.api),
          TEMPORAL_PORT: String(ports.temporal),
          TEMPORAL_UI_PORT: String(ports.ui),
          NOTIFY_URL: '',
          NOTIFY_URLS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (c) => (out += c));
      child.stderr!.on('data', (c) => (out += c));
      await new Promise<void>((resolveReady, reject) => {
        const timer = setTimeout(() => reject(new Error(`not running after 180 s:\n${out}`)), 180_000);
        const check = () => {
          if (out.includes('Indsatsflow is running')) {
            clearTimeout(timer);
            resolveReady();
          }
        };
        child.stdout!.on('data', check);
        child.once(
          'exit',
          (code, signal) => (
            clearTimeout(timer),
            reject(new Error(`exited (${signal ?? code}) before it ran:\n${out}`))
          ),
        );
      });
      return child;
    };

    before(async () => {
      ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    });
    after(async () => {
      if (service && service.exitCode === null && service.signalCode === null) {
        service.kill('SIGTERM');
        await new Promise((r) => service!.once('exit', r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('leaves no orphan, starts again, and every event answered 202 before the kill is there', async () => {
      service = await start();
      const api = `http://127.0.0.1:${ports.api}`;
      const servicePid = service.pid!;
      const children = descendants(servicePid);
      const temporalPid = JSON.parse(readFileSync(join(dataDir, 'temporal.pid'), 'utf8')).pid as number;
      const postmasterPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      assert.ok(
        children.includes(temporalPid) && children.includes(postmasterPid),
        "the servers are the service's children",
      );

      // A burst of grants, 8 at a time; SIGKILL once 30 have been answered 202.
      const accepted: string[] = [];
      let killed = false;
      const send = async () => {
        while (!killed) {
          const id = measureId('BURST');
          try {
            const res = await fetch(`${api}/v1/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(grant(id, 'hjorring')),
            });
            if (res.status === 202) accepted.push(id);
          } catch {
            /* the service is gone */
          }
          if (accepted.length >= 30 && !killed) {
            killed = true;
            process.kill(servicePid, 'SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, send));
      await new Promise((r) =>
        service!.exitCode !== null || service!.signalCode !== null ? r(null) : service!.once('exit', r),
      );

      // Its children die with it: nothing keeps the ports.
      await eventually(
        async () => [temporalPid, postmasterPid, ...children].every((p) => !processAlive(p)),
        'no orphan of the killed service',
        20_000,
      );

      service = await start();
      for (const id of accepted) {
        await eventually(
          async () => {
            const res = await fetch(`${api}/v1/measures/${id}`);
            return res.status === 200;
          },
          `measure ${id} (answered 202 before the kill)`,
          60_000,
        );
      }
      const health = await timedGet(`${api}/health`);
      assert.equal(health.status, 200, JSON.stringify(health.body));
    });

    it('without its watchdog, the next run finds the orphans by their PID files and stops them', async () => {
      const servicePid = service!.pid!;
      const dog = descendants(servicePid).find((p) =>
        readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('watchdog-process'),
      );
      assert.ok(dog, 'the service has a watchdog');
      const temporalPid = JSON.parse(readFileSync(join(dataDir, 'temporal.pid'), 'utf8')).pid as number;
      const postmasterPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(dog, 'SIGKILL');
      process.kill(servicePid, 'SIGKILL');
      await new Promise((r) =>
        service!.exitCode !== null || service!.signalCode !== null ? r(null) : service!.once('exit', r),
      );
      await new Promise((r) => setTimeout(r, 1_000));
      assert.ok(processAlive(temporalPid) && processAlive(postmasterPid), 'orphans left, holding their ports');

      service = await start();
      assert.ok(!processAlive(temporalPid), 'the orphan dev server was stopped');
      assert.ok(!processAlive(postmasterPid), 'the orphan postmaster was stopped');
      const id = measureId('AGAIN');
      const r = await fetch(`http://127.0.0.1:${ports.api}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(grant(id, 'hjorring')),
      });
      assert.equal(r.status, 202);

      // A clean stop leaves nothing behind either.
      const children = descendants(service.pid!);
      service.kill('SIGTERM');
      const code = await new Promise((r) => service!.once('exit', (c) => r(c)));
      assert.equal(code, 0);
      await eventually(
        async () => children.every((p) => !processAlive(p)),
        'every child of the stopped service gone',
        20_000,
      );
    });
  },
);

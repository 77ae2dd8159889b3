// Administrators' policy changes over HTTP on the real stack: versions, the preview, the
// statutory floor, rollout to running measures, rollback, and a change that waits for its date.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addToDate, dateOf, startOfDay } from '../machines/dates';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const ago = (d: string) => addToDate(today(), `-${d}`);

describe('policies over HTTP', { timeout: 240_000 }, () => {
  let s: TestStack;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.apiUrl}${path}`, {
      method,
      headers:
        body === undefined
          ? { 'x-indsatsflow-user': 'admin-anna' }
          : { 'content-type': 'application/json', 'x-indsatsflow-user': 'admin-anna' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const grant = async (id: string, measureType: string, pkg: string | undefined, startOn: string) => {
    const r = await s.post(
      event('measure.granted', id, {
        municipality: 'hjorring',
        measureType,
        ...(pkg ? { package: pkg } : {}),
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-syd',
        grantedOn: startOn,
        startOn,
      }),
    );
    assert.equal(r.status, 202, JSON.stringify(r.body));
  };
  const firstFollowUp = async (id: string) => {
    const m = (await s.get(`/v1/measures/${id}`)).body;
    return { m, d: m.deadlines.find((x: any) => x.kind === 'first-follow-up') };
  };
  const finished = (id: string) =>
    eventually(
      async () => {
        const r = (await call('GET', `/v1/policies/rollouts/${id}`)).body;
        // The workflow's last activity marks the row completed; the workflow itself ends a moment later.
        return r.status === 'completed' && r.temporalStatus !== 'RUNNING' && r;
      },
      `rollout ${id} to complete`,
      60_000,
    );

  const startOn = ago('P10D');
  const fam = measureId('FAM');
  const kon = measureId('KON');

  before(async () => {
    s = await startTestStack();
    await grant(fam, 'familiebehandling', 'gul', startOn);
    await grant(kon, 'kontaktperson-barn', 'gul', startOn);
  });
  after(async () => {
    await s?.stop();
  });

  it('seeds the catalogue as version 1 of every municipality', async () => {
    const v = await call('GET', '/v1/policies/hjorring/versions');
    assert.equal(v.status, 200);
    assert.deepEqual(
      v.body.versions.map((x: any) => [x.version, x.author, x.inForce]),
      [[1, 'catalogue', true]],
    );
    const all = (await call('GET', '/v1/policies')).body.map((x: any) => x.municipality);
    assert.ok(all.includes('hjorring') && all.includes('testby'));
    assert.equal((await firstFollowUp(fam)).m.policyVersion, 1);
  });

  it('refuses a first follow-up looser than Barnets Lov § 95, and a malformed duration', async () => {
    for (const duration of ['P4M', 'P13W', { min: 'P6W', max: 'P14W' }]) {
      const r = await call('PATCH', '/v1/policies/hjorring/timers', {
        measureType: 'familiebehandling',
        timer: 'first-follow-up',
        duration,
        effectiveFrom: today(),
        reason: 'too loose',
      });
      assert.equal(r.status, 422, JSON.stringify(duration));
      assert.equal(r.body.error, 'statutory-floor');
      assert.equal(r.body.paragraph, 'Barnets Lov § 95');
    }
    const bad = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'familiebehandling',
      timer: 'first-follow-up',
      duration: 'six weeks',
      effectiveFrom: today(),
      reason: 'typo',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error, 'invalid-policy');
    assert.match(bad.body.issues[0].path, /firstFollowUp\.after/);
    const unknown = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'stoetteperson',
      timer: 'first-follow-up',
      duration: 'P2W',
      effectiveFrom: today(),
      reason: 'none',
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error, 'unknown-timer');
    assert.equal(
      (await call('GET', '/v1/policies/hjorring/versions')).body.versions.length,
      1,
      'nothing refused was stored',
    );
  });

  it('previews a change to familiebehandling: the running measure moves 14 days, the other type is untouched', async () => {
    const r = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'familiebehandling',
      timer: 'first-follow-up',
      duration: 'P6W',
      effectiveFrom: today(),
      reason: 'first follow-up after 6 weeks',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.dryRun, true);
    assert.deepEqual(r.body.measureTypes, ['familiebehandling']);
    const p = r.body.preview;
    const mine = p.measures.find((x: any) => x.measureId === fam);
    assert.ok(mine, 'the familiebehandling measure is in the preview');
    assert.deepEqual(
      mine.moved.map((x: any) => [x.kind, x.from, x.to, x.days]),
      [['first-follow-up', addToDate(startOn, 'P4W'), addToDate(startOn, 'P6W'), 14]],
    );
    assert.ok(!p.measures.some((x: any) => x.measureId === kon));
    assert.equal(p.becomeOverdueAtOnce, 0);
    assert.equal(p.workload.total.before.length, 26);
    const team = p.workload.teams.find((t: any) => t.teamId === 'team-syd');
    const week = (d: string) => Math.floor((startOfDay(d) - startOfDay(today())) / (7 * 86_400_000));
    assert.equal(team.before[week(addToDate(startOn, 'P4W'))], 1, 'the first follow-up is due in week 2 before');
    assert.equal(team.after[week(addToDate(startOn, 'P6W'))], 1, 'and in week 4 after');
    // Nothing moved yet.
    const { m, d } = await firstFollowUp(fam);
    assert.equal(d.dueOn, addToDate(startOn, 'P4W'));
    assert.equal(m.policyVersion, 1);
  });

  it('applies it: a new version, a rollout that moves the running measure and records why in its history', async () => {
    const r = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'familiebehandling',
      timer: 'first-follow-up',
      duration: 'P6W',
      effectiveFrom: ago('P1D'),
      reason: 'first follow-up after 6 weeks',
      dryRun: false,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.version, 2);
    const done = await finished(r.body.rollout.id);
    assert.equal(done.temporalStatus, 'COMPLETED');
    assert.ok(done.outcomes.moved >= 1, JSON.stringify(done));

    const { m, d } = await firstFollowUp(fam);
    assert.equal(m.policyVersion, 2);
    assert.equal(d.dueOn, addToDate(startOn, 'P6W'));
    const h = m.history.find((x: any) => x.type === 'policy.changed');
    assert.deepEqual(h.detail.text, [
      `first follow-up moved from ${addToDate(startOn, 'P4W')} to ${addToDate(startOn, 'P6W')} by policy version 2: first follow-up after 6 weeks`,
    ]);
    assert.equal(h.detail.author, 'admin-anna');

    const other = await firstFollowUp(kon);
    assert.equal(other.m.policyVersion, 1, 'another measure type keeps its version');
    assert.equal(other.d.dueOn, addToDate(startOn, 'P4W'));
    assert.ok(!other.m.history.some((x: any) => x.type === 'policy.changed'));

    // Granted after the change: the new version from the start.
    const late = measureId('FAM2');
    await grant(late, 'familiebehandling', 'roed', today());
    const l = await firstFollowUp(late);
    assert.equal(l.m.policyVersion, 2);
    assert.equal(l.d.dueOn, addToDate(today(), 'P6W'));

    const v = (await call('GET', '/v1/policies/hjorring/versions?from=1&to=2')).body;
    assert.deepEqual(
      v.versions.map((x: any) => [x.version, x.author, x.reason, x.effectiveFrom]),
      [
        [1, 'catalogue', v.versions[0].reason, '1900-01-01'],
        [2, 'admin-anna', 'first follow-up after 6 weeks', ago('P1D')],
      ],
    );
    assert.deepEqual(
      v.diff.changes.filter((c: any) => c.path.endsWith('.after')),
      [{ path: 'measureTypes[familiebehandling].firstFollowUp.after', from: 'P4W', to: 'P6W' }],
    );
  });

  it('rolls back with a new version', async () => {
    const r = await call('POST', '/v1/policies/hjorring/versions', {
      rollbackTo: 1,
      effectiveFrom: today(),
      reason: 'back to 4 weeks',
      dryRun: false,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.version, 3);
    await finished(r.body.rollout.id);
    const { m, d } = await firstFollowUp(fam);
    assert.equal(m.policyVersion, 3);
    assert.equal(d.dueOn, addToDate(startOn, 'P4W'));
    assert.equal(
      m.history.filter((x: any) => x.type === 'policy.changed').length,
      2,
      'both changes stay in the history',
    );
  });

  it('moves nothing before a future effectiveFrom: the rollout waits for the date, and can be stopped', async () => {
    const tomorrow = addToDate(today(), 'P1D');
    const r = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'kontaktperson-barn',
      timer: 'first-follow-up',
      duration: 'P3W',
      effectiveFrom: tomorrow,
      reason: 'sooner',
      dryRun: false,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.rollout.startsAt, new Date(startOfDay(tomorrow)).toISOString());
    await new Promise((res) => setTimeout(res, 1_500));
    const st = (await call('GET', `/v1/policies/rollouts/${r.body.rollout.id}`)).body;
    assert.equal(st.status, 'scheduled');
    assert.equal(st.temporalStatus, 'RUNNING');
    assert.equal(st.visited, 0);
    const { m, d } = await firstFollowUp(kon);
    assert.equal(m.policyVersion, 1);
    assert.equal(d.dueOn, addToDate(startOn, 'P4W'));
    // Granted today, before the date: the version in force today.
    const k2 = measureId('KON2');
    await grant(k2, 'kontaktperson-barn', 'gul', today());
    const k = await firstFollowUp(k2);
    assert.equal(k.m.policyVersion, 3);
    assert.equal(k.d.dueOn, addToDate(today(), 'P4W'));
    const v = (await call('GET', '/v1/policies/hjorring/versions')).body.versions;
    assert.deepEqual(
      v.map((x: any) => [x.version, x.inForce]),
      [
        [1, false],
        [2, false],
        [3, true],
        [4, false],
      ],
    );
    // An earlier date than the latest version's is refused: versions take effect in order.
    const early = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'familiebehandling',
      timer: 'first-follow-up',
      duration: 'P5W',
      effectiveFrom: today(),
      reason: 'out of order',
      dryRun: false,
    });
    assert.equal(early.status, 409, JSON.stringify(early.body));

    assert.equal((await call('POST', `/v1/policies/rollouts/${r.body.rollout.id}/stop`)).status, 202);
    await eventually(
      async () => (await call('GET', `/v1/policies/rollouts/${r.body.rollout.id}`)).body.status === 'stopped',
      'the rollout to stop',
    );
  });

  it('has a command line for administrators that talks to the API', async () => {
    const cli = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((res) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', join(__dirname, '..', 'admin-cli.ts'), ...args],
          { env: { ...process.env, INDSATSFLOW_API: s.apiUrl } },
          (err, stdout, stderr) => res({ code: err ? ((err as any).code ?? 1) : 0, out: stdout + stderr }),
        ),
      );
    const versions = await cli('policy', 'versions', 'hjorring', '--diff', '1', '2');
    assert.equal(versions.code, 0, versions.out);
    assert.match(versions.out, /version\s+effective\s+in force\s+author/);
    assert.match(versions.out, /measureTypes\[familiebehandling\]\.firstFollowUp\.after\s+P4W\s+P6W/);
    const dry = await cli(
      'set-timer',
      'hjorring',
      'familiebehandling',
      'first-follow-up',
      'P5W',
      '--effective-from',
      addToDate(today(), 'P1D'),
      '--reason',
      'try five weeks',
      '--dry-run',
    );
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /DRY RUN/);
    assert.match(dry.out, /follow-ups due per week/);
    const floor = await cli(
      'set-timer',
      'hjorring',
      'familiebehandling',
      'first-follow-up',
      'P4M',
      '--effective-from',
      addToDate(today(), 'P1D'),
      '--reason',
      'too loose',
    );
    assert.equal(floor.code, 1);
    assert.match(floor.out, /Barnets Lov § 95/);
    const status = await cli('rollout', 'status', '--municipality', 'hjorring');
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /hjorring-v2\s+completed/);
    assert.equal((await cli('show', 'hjorring')).code, 0);
  });
});

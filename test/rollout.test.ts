// Rollouts on the real stack: a measure past its old deadline but not the new one stops being
// overdue (escalations already raised stay, unsent ones are cancelled), and a rollout survives a
// worker restart halfway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addToDate, dateOf } from '../machines/dates';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('policy rollouts', { timeout: 300_000 }, () => {
  let s: TestStack;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const finished = (id: string, timeoutMs = 90_000) =>
    eventually(
      async () => {
        const r = (await call('GET', `/v1/policies/rollouts/${id}`)).body;
        return r.status === 'completed' && r;
      },
      `rollout ${id} to complete`,
      timeoutMs,
    );

  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });

  it('stops a measure being overdue when the new deadline is later: raised escalations stay, unsent ones are cancelled', async () => {
    // A slower team-leader step first, so that the change below lands between level 1 and level 2
    // (the preview below simulates half a year of hourly follow-ups: it takes ~20 s on two cores).
    const ladder = await call('PATCH', '/v1/policies/testby/timers', {
      timer: 'escalation-teamleder',
      duration: 'PT45S',
      effectiveFrom: today(),
      reason: 'team leader after 45 s',
      dryRun: false,
      author: 'test',
    });
    assert.equal(ladder.status, 201, JSON.stringify(ladder.body));
    await finished(ladder.body.rollout.id);

    const id = measureId('LATE');
    const g = await s.post(
      event('measure.granted', id, {
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'roed',
        caseId: 'C-9',
        caseworkerId: 'cw-9',
        teamId: 'team-vest',
        grantedOn: today(),
        startOn: today(),
      }),
    );
    assert.equal(g.status, 202, JSON.stringify(g.body));
    const grantedAt = Date.now();
    // First follow-up after 4 s: overdue, the caseworker is told at once.
    await eventually(
      async () => (await s.get(`/v1/escalations?measureId=${id}`)).body.items.length === 1,
      'the level-1 escalation',
    );

    const change = {
      measureType: 'hurtig-stoette',
      timer: 'first-follow-up',
      duration: 'PT1H',
      effectiveFrom: today(),
      reason: 'an hour is enough',
    };
    const preview = await call('PATCH', '/v1/policies/testby/timers', change);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    const mine = preview.body.preview.measures.find((m: any) => m.measureId === id);
    assert.deepEqual(mine.stopsBeingOverdue, ['first-follow-up']);
    assert.equal(preview.body.preview.becomeOverdueAtOnce, 0);

    const applied = await call('PATCH', '/v1/policies/testby/timers', { ...change, dryRun: false });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    await finished(applied.body.rollout.id);

    const m = (await s.get(`/v1/measures/${id}`)).body;
    const ff = m.deadlines.find((d: any) => d.kind === 'first-follow-up');
    assert.equal(ff.status, 'pending', 'no longer overdue');
    const h = m.history.find((x: any) => x.type === 'policy.changed');
    const moved = h.detail.moved[0];
    assert.equal(moved.wasOverdue, true);
    assert.equal(moved.overdue, false);
    assert.deepEqual(moved.raisedLevels, [1]);
    assert.deepEqual(moved.cancelledLevels, [2, 3]);
    assert.equal(
      (await s.get(`/v1/measures?municipality=testby&overdue=true&limit=1000`)).body.items.filter(
        (x: any) => x.measureId === id,
      ).length,
      0,
    );

    // Past the moment the team leader would have been told under the old rule.
    await sleep(Math.max(0, grantedAt + 4_000 + 45_000 + 2_000 - Date.now()));
    const esc = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
    assert.deepEqual(
      esc.map((e: any) => [e.level, e.deadlineKind]),
      [[1, 'first-follow-up']],
      'level 1 stays in the record; level 2 never comes',
    );
  });

  it('survives a worker restart halfway through a rollout', async () => {
    const startOn = addToDate(today(), '-P3D');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = measureId('RO');
      ids.push(id);
      const r = await s.post(
        event('measure.granted', id, {
          municipality: 'hjorring',
          measureType: 'sikkerhedsplan',
          caseId: `C-${i}`,
          caseworkerId: 'cw-2',
          teamId: 'team-nord',
          grantedOn: startOn,
          startOn,
        }),
      );
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    const r = await call('PATCH', '/v1/policies/hjorring/timers', {
      measureType: 'sikkerhedsplan',
      timer: 'first-follow-up',
      duration: 'P10D',
      effectiveFrom: today(),
      reason: 'safety plans followed up sooner',
      dryRun: false,
      rollout: { batchSize: 3, pauseMs: 400, concurrency: 1 },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const rid = r.body.rollout.id;
    await eventually(
      async () => (await call('GET', `/v1/policies/rollouts/${rid}`)).body.visited >= 6,
      'the rollout to get going',
      30_000,
    );
    await s.stopWorker();
    const halfway = (await call('GET', `/v1/policies/rollouts/${rid}`)).body;
    assert.notEqual(halfway.status, 'completed');
    assert.ok(halfway.visited < 30, `visited ${halfway.visited}`);
    await sleep(2_000);
    await s.startWorker();
    const done = await finished(rid);
    assert.equal(done.outcomes.moved, 30, JSON.stringify(done.outcomes));
    assert.equal(done.total, 30);
    for (const id of ids) {
      const m = (await s.get(`/v1/measures/${id}`)).body;
      assert.equal(m.policyVersion, 2);
      assert.equal(m.deadlines.find((d: any) => d.kind === 'first-follow-up').dueOn, addToDate(startOn, 'P10D'));
      assert.equal(m.history.filter((x: any) => x.type === 'policy.changed').length, 1, 'moved exactly once');
    }
  });
});

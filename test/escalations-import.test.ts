// Escalations people can trust, on the real stack over HTTP: a municipality importing its open
// measures with their history raises nothing for deadlines the history met on time (as a batch,
// or event by event within the settling window); an overdue import raises one escalation per
// overdue deadline, to the role now due; holding the deadline resolves it; a refused grant leaves
// no workflow behind; two copies of one event at once are one event; lists say when they are cut.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addToDate, dateOf } from '../machines/dates';
import { endUngranted } from '../maintenance/end-ungranted';
import { measurePolicyOf } from '../policies/source';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import { testMunicipality } from './fixtures/test-policy';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const ago = (days: number) => addToDate(today(), `-P${days}D`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The test stack's settling window (PT2S) and some margin for the workflow to act. */
const SETTLED_MS = 4_000;

const grant = (subject: string, data: Record<string, unknown>) =>
  event('measure.granted', subject, { caseId: 'C-1', caseworkerId: 'cw-1', teamId: 'team-syd', ...data });
const followUp = (subject: string, heldOn: string) =>
  event('measure.follow-up-held', subject, {
    heldOn,
    participants: ['executor', 'parents'],
    actionPlanDecision: 'keep',
  });

describe('escalations people can trust', { timeout: 240_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });
  const escalations = async (id: string, q = '') =>
    (await s.get(`/v1/escalations?measureId=${id}${q}`)).body.items as any[];
  const running = async (workflowId: string) => {
    const found: string[] = [];
    for await (const w of s.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) found.push(w.status.name);
    return found;
  };

  it('imports an on-time Haderslev history as one batch and raises nothing', async () => {
    // Granted 90 days ago with its prerequisites in place; follow-ups within 6 weeks, then 6-8.
    const id = measureId('IMP-B');
    const start = ago(90);
    const r = await s.post([
      grant(id, {
        municipality: 'haderslev',
        measureType: 'familiebehandling',
        grantedOn: start,
        startOn: start,
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan', 'familieraadslagning'],
      }),
      followUp(id, addToDate(start, 'P41D')),
      followUp(id, addToDate(start, 'P85D')),
    ]);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.map((a: any) => [a.status, a.duplicate]),
      [
        [202, false],
        [202, false],
        [202, false],
      ],
    );
    await sleep(SETTLED_MS);
    assert.deepEqual(await escalations(id), [], 'no escalation for deadlines the history met');
    const m = (await s.get(`/v1/measures/${id}`)).body;
    const first = m.deadlines.find((d: any) => d.id === 'first-follow-up');
    assert.deepEqual([first.status, first.late], ['met', false]);
    const stored = await s.pool.query('SELECT count(*)::int AS n FROM inbox WHERE subject = $1 AND status = 202', [id]);
    assert.equal(stored.rows[0].n, 3, 'each event has its own inbox row and answer');
  });

  it('imports an on-time Hjørring history one request per event and raises nothing', async () => {
    // Without the settling window the grant alone would make the startup meeting, the treatment
    // plan and the first follow-up overdue at once.
    const id = measureId('IMP-E');
    const start = ago(40);
    for (const e of [
      grant(id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'gul',
        grantedOn: start,
        startOn: start,
        // Ordered with its handleplan, as Hjørring requires (l.188): on time throughout.
        prerequisites: ['handleplan'],
      }),
      event('measure.treatment-plan-received', id, { receivedOn: addToDate(start, 'P9D') }),
      event('measure.startup-meeting-held', id, { heldOn: addToDate(start, 'P10D') }),
      followUp(id, addToDate(start, 'P25D')),
    ]) {
      const r = await s.post(e);
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    await sleep(SETTLED_MS);
    assert.deepEqual(await escalations(id), []);
    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.state, 'following-up');
    assert.ok(m.deadlines.every((d: any) => d.status !== 'overdue'));
  });

  it('raises one escalation per overdue deadline of an import, to the role now due; holding it resolves it', async () => {
    // Haderslev: caseworker at once, team leader after 7 days, department head after 14. Granted 52
    // days ago without its prerequisites: those are 51 days overdue, the first follow-up (6 weeks)
    // 9 days.
    const id = measureId('IMP-O');
    const start = ago(52);
    const r = await s.post([
      grant(id, { municipality: 'haderslev', measureType: 'familiebehandling', grantedOn: start, startOn: start }),
    ]);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const raised = await eventually(async () => {
      const e = await escalations(id);
      return e.length >= 5 && e;
    }, 'the import to be escalated');
    await sleep(1_000);
    const all = await escalations(id);
    assert.equal(all.length, 5, 'one row per escalation raised');
    assert.deepEqual(all.map((e) => [e.deadlineId, e.level, e.role]).sort(), [
      ['first-follow-up', 2, 'teamleder'],
      ['prerequisite-boernefaglig-undersoegelse', 3, 'afdelingsleder'],
      ['prerequisite-familieraadslagning', 3, 'afdelingsleder'],
      ['prerequisite-handleplan', 3, 'afdelingsleder'],
      ['prerequisite-udviklingsplan', 3, 'afdelingsleder'],
    ]);
    assert.equal(new Set(raised.map((e: any) => e.raisedAt)).size >= 1, true);

    // The list is cut at its limit, and says so.
    const page1 = (await s.get(`/v1/escalations?measureId=${id}&limit=2`)).body;
    assert.equal(page1.items.length, 2);
    assert.equal(typeof page1.next, 'string');
    const page2 = (await s.get(`/v1/escalations?measureId=${id}&limit=2&cursor=${page1.next}`)).body;
    const page3 = (await s.get(`/v1/escalations?measureId=${id}&limit=2&cursor=${page2.next}`)).body;
    assert.equal(page3.items.length, 1);
    assert.equal(page3.next, null);
    assert.deepEqual(
      [...page1.items, ...page2.items, ...page3.items].map((e: any) => e.deadlineId),
      all.map((e) => e.deadlineId),
    );
    const bad = await s.get(`/v1/escalations?cursor=not-a-cursor`);
    assert.equal(bad.status, 400);

    // The follow-up held today: met late, its escalation resolved; the others stay open.
    const held = await s.post(followUp(id, today()));
    assert.equal(held.status, 202, JSON.stringify(held.body));
    const resolved = await eventually(async () => {
      const e = await escalations(id, '&open=false');
      return e.length === 1 && e;
    }, 'the first follow-up escalation resolved');
    assert.equal(resolved[0].deadlineId, 'first-follow-up');
    assert.equal(resolved[0].resolution, 'met-late');
    assert.equal((await escalations(id, '&open=true')).length, 4);
    const ff = (await s.get(`/v1/measures/${id}`)).body.deadlines.find((d: any) => d.id === 'first-follow-up');
    assert.deepEqual([ff.status, ff.metOn, ff.late], ['met', today(), true]);

    // Closing the measure ends the rest: cancelled.
    assert.equal(
      (await s.post(event('measure.closed', id, { closedOn: today(), reason: 'goal-reached' }))).status,
      202,
    );
    await eventually(async () => (await escalations(id, '&open=true')).length === 0, 'every escalation resolved');
    const cancelled = (await escalations(id, '&open=false')).filter((e) => e.resolution === 'cancelled');
    assert.equal(cancelled.length, 4);
  });

  it('a grant the machine refuses leaves no workflow and no projection', async () => {
    // Hjørring family treatment has packages: granted without one, the machine refuses it.
    const id = measureId('REF');
    const r = await s.post(
      grant(id, { municipality: 'hjorring', measureType: 'familiebehandling', grantedOn: today(), startOn: today() }),
    );
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid-transition');
    assert.equal(r.body.state, 'new');
    const wid = measureWorkflowId('hjorring', id);
    assert.deepEqual(await running(wid), [], 'no workflow was started');
    assert.equal((await s.get(`/v1/measures/${id}`)).status, 404);

    // The corrected grant under the same id is accepted.
    const fixed = await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'gul',
        grantedOn: today(),
        startOn: today(),
      }),
    );
    assert.equal(fixed.status, 202, JSON.stringify(fixed.body));
  });

  it('a measure workflow never granted ends itself, and the maintenance check ends leftovers', async () => {
    const policy = measurePolicyOf(testMunicipality(), testMunicipality().measureTypes[0]);
    const start = async (id: string) =>
      s.client.workflow.start<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
        workflowId: measureWorkflowId('testby', id),
        taskQueue: TASK_QUEUE,
        args: [{ measureId: id, policy }],
      });
    const alone = await start(measureId('NEW'));
    assert.equal(await alone.result(), 'new', 'it waited for a grant, then ended');

    const left = measureId('LEFT');
    const h = await start(left);
    const wid = measureWorkflowId('testby', left);
    await eventually(async () => {
      for await (const w of s.client.workflow.list({
        query: `WorkflowId = '${wid}' AND MeasureState = 'new' AND ExecutionStatus = 'Running'`,
      }))
        return w;
      return undefined;
    }, 'the ungranted workflow in visibility');
    const ended = await endUngranted(s.client, { olderThanMs: 0 });
    assert.ok(ended.includes(wid), `ended ${ended.join(', ')}`);
    assert.equal((await h.describe()).status.name, 'TERMINATED');
    const rows = await s.pool.query('SELECT count(*)::int AS n FROM measures WHERE measure_id = $1', [left]);
    assert.equal(rows.rows[0].n, 0, 'nothing was projected');
  });

  it('answers the second of two copies arriving at the same moment duplicate: true', async () => {
    const id = measureId('DUP');
    assert.equal(
      (
        await s.post(
          grant(id, {
            municipality: 'testby',
            measureType: 'hurtig-stoette',
            package: 'groen',
            grantedOn: today(),
            startOn: today(),
          }),
        )
      ).status,
      202,
    );
    const e = event('measure.package-changed', id, {
      package: 'roed',
      effectiveOn: addToDate(today(), 'P1D'),
      reason: 'more support',
    });
    const answers = await Promise.all([s.post(e), s.post(e), s.post(e)]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202, 202],
    );
    assert.deepEqual(answers.map((a) => a.body.duplicate).sort(), [false, true, true]);
    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.history.filter((x: any) => x.type === 'measure.package-changed').length, 1);
  });

  it('pages the measure list with an opaque cursor', async () => {
    const team = `team-${measureId('P')}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = measureId('PG');
      ids.push(id);
      const r = await s.post(
        grant(id, {
          municipality: 'testby',
          measureType: 'hurtig-stoette',
          package: 'groen',
          grantedOn: today(),
          startOn: today(),
          teamId: team,
        }),
      );
      assert.equal(r.status, 202);
    }
    const p1 = (await s.get(`/v1/measures?teamId=${team}&limit=2`)).body;
    assert.equal(p1.items.length, 2);
    assert.ok(p1.next);
    const p2 = (await s.get(`/v1/measures?teamId=${team}&limit=2&cursor=${encodeURIComponent(p1.next)}`)).body;
    assert.equal(p2.next, null);
    assert.deepEqual(
      [...p1.items, ...p2.items].map((m: any) => m.measureId),
      [...ids].sort(),
    );
    assert.equal((await s.get(`/v1/measures?limit=1001`)).status, 400, 'the maximum limit is 1000');
  });
});

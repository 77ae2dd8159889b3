// Escalations reach the case system: every one delivered as a CloudEvent, at least once, with the
// same id when a failed delivery is repeated, and without holding up the measures; and when the
// deadline behind one is met, its resolution follows from the same outbox.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addToDate, dateOf } from '../machines/dates';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

describe('escalation notifications to the case system', { timeout: 120_000 }, () => {
  let s: TestStack;
  let receiver: Server;
  const received: Array<{ status: number; body: any }> = [];
  let failNext = 1; // the case system is down for the first delivery

  before(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const status = failNext-- > 0 ? 503 : 200;
        received.push({ status, body: JSON.parse(text) });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const { port } = receiver.address() as AddressInfo;
    s = await startTestStack({ notifyUrl: `http://127.0.0.1:${port}/notifications`, notifyPollMs: 200 });
  });
  after(async () => {
    await s?.stop();
    receiver?.close();
  });

  it('delivers one escalation per overdue deadline of an import, retrying the one that failed with the same id', async () => {
    const id = measureId('NOTE');
    const startOn = addToDate(dateOf(Date.now()), '-P7M');
    const r = await s.post(
      event('measure.granted', id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'gul',
        caseId: 'C-1',
        caseworkerId: 'cw-12',
        teamId: 'team-nord',
        grantedOn: startOn,
        startOn,
        prerequisites: ['handleplan'],
      }),
    );
    // Ordered with its handleplan (Hjørring l.188), so only the four timer deadlines escalate.
    assert.equal(r.status, 202);

    // Startup meeting, treatment plan, first follow-up and reassessment are overdue past every step
    // of the ladder: one escalation each, to the department head (not 4 x 3 in the same second).
    const escalations = await eventually(
      async () => {
        const e = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
        return e.length === 4 && e.every((x: any) => x.notifiedAt) && e;
      },
      'all 4 escalations delivered',
      60_000,
    );
    assert.deepEqual(escalations.map((e: any) => [e.deadlineKind, e.level, e.role]).sort(), [
      ['first-follow-up', 3, 'afdelingsleder'],
      ['reassessment', 3, 'afdelingsleder'],
      ['startup-meeting', 3, 'afdelingsleder'],
      ['treatment-plan', 3, 'afdelingsleder'],
    ]);

    const ok = received.filter((x) => x.status === 200).map((x) => x.body);
    const ids = ok.map((n) => n.id);
    assert.equal(new Set(ids).size, 4, 'each escalation accepted once');
    const failed = received.find((x) => x.status === 503)!.body;
    assert.ok(ids.includes(failed.id), 'the failed delivery was repeated with the same id');

    const n = ok.find((x) => x.data.deadlineKind === 'reassessment');
    assert.deepEqual(n.data, {
      measureId: id,
      municipality: 'hjorring',
      deadlineId: 'reassessment#1',
      deadlineKind: 'reassessment',
      dueOn: addToDate(startOn, 'P6M'),
      level: 3,
      role: 'afdelingsleder',
      caseworkerId: 'cw-12',
      teamId: 'team-nord',
    });
    assert.equal(n.type, 'indsatsflow.escalation.raised');
    assert.equal(n.subject, id);
    assert.ok(!JSON.stringify(ok).includes('C-1'), 'no case content beyond identifiers the receiver needs');

    // The startup meeting and the first follow-up are held today (late): their escalations end,
    // and the case system is told, at least once, with ids of their own.
    const today = dateOf(Date.now());
    const held = await s.post([
      event('measure.startup-meeting-held', id, { heldOn: today }),
      event('measure.follow-up-held', id, {
        heldOn: today,
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    ]);
    assert.equal(held.status, 202, JSON.stringify(held.body));
    const resolved = await eventually(
      async () => {
        const r = received.filter((x) => x.status === 200 && x.body.type === 'indsatsflow.escalation.resolved');
        return r.length >= 2 && r.map((x) => x.body);
      },
      'two resolutions delivered',
      30_000,
    );
    assert.deepEqual(resolved.map((r: any) => [r.data.deadlineKind, r.data.resolution]).sort(), [
      ['first-follow-up', 'met-late'],
      ['startup-meeting', 'met-late'],
    ]);
    const ff = resolved.find((r: any) => r.data.deadlineKind === 'first-follow-up');
    assert.equal(ff.id, `${ok.find((x) => x.data.deadlineKind === 'first-follow-up').id}/resolved`);
    assert.equal(ff.subject, id);
    const closedOnes = (await s.get(`/v1/escalations?measureId=${id}&open=false`)).body.items;
    assert.deepEqual(closedOnes.map((e: any) => e.deadlineKind).sort(), ['first-follow-up', 'startup-meeting']);
    assert.ok(closedOnes.every((e: any) => e.resolvedAt && e.resolution === 'met-late'));
    const stillOpen = (await s.get(`/v1/escalations?measureId=${id}&open=true`)).body.items;
    assert.deepEqual(stillOpen.map((e: any) => e.deadlineKind).sort(), ['reassessment', 'treatment-plan']);

    const m = (await s.get(`/v1/measures/${id}`)).body;
    const first = m.deadlines.find((d: any) => d.id === 'first-follow-up');
    assert.deepEqual([first.status, first.metOn, first.late], ['met', today, true]);
  });
});

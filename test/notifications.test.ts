// Escalations reach the case system: every one delivered as a CloudEvent, at least once, with the
// same id when a failed delivery is repeated, and without holding up the measures.
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

  it('delivers every escalation of an overdue measure, retrying the one that failed with the same id', async () => {
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
    // of the ladder: 4 deadlines x 3 levels.
    const escalations = await eventually(
      async () => {
        const e = (await s.get(`/v1/escalations?measureId=${id}`)).body;
        return e.length === 12 && e.every((x: any) => x.notifiedAt) && e;
      },
      'all 12 escalations delivered',
      60_000,
    );
    assert.equal(escalations.length, 12);

    const ok = received.filter((x) => x.status === 200).map((x) => x.body);
    const ids = ok.map((n) => n.id);
    assert.equal(new Set(ids).size, 12, 'each escalation accepted once');
    const failed = received.find((x) => x.status === 503)!.body;
    assert.ok(ids.includes(failed.id), 'the failed delivery was repeated with the same id');

    const n = ok.find((x) => x.data.deadlineKind === 'reassessment' && x.data.level === 2);
    assert.deepEqual(n.data, {
      measureId: id,
      municipality: 'hjorring',
      deadlineId: 'reassessment#1',
      deadlineKind: 'reassessment',
      dueOn: addToDate(startOn, 'P6M'),
      level: 2,
      role: 'teamleder',
      caseworkerId: 'cw-12',
      teamId: 'team-nord',
    });
    assert.equal(n.type, 'indsatsflow.escalation.raised');
    assert.equal(n.subject, id);
    assert.ok(!JSON.stringify(ok).includes('C-1'), 'no case content beyond identifiers the receiver needs');
  });
});

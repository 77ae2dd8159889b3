// One slow receiver cannot hold up another's escalations: two case systems on 127.0.0.1, one that
// never answers (Hjørring's) and one that does (Testby's), on the real stack. Testby's notices
// arrive promptly while Hjørring's hang, and a notice is never sent again while it is in flight.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { addToDate, dateOf } from '../machines/dates';
import { event, eventually, measureId, startTestStack, type TestStack } from './support/stack';

// Long enough that the hanging receiver holds its deliveries open through the whole test.
const TIMEOUT_MS = 20_000;

async function listen(
  handler: (req: IncomingMessage, body: any, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => handler(req, JSON.parse(text), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications` };
}

describe('escalation delivery: one hanging receiver, one that answers', { timeout: 150_000 }, () => {
  let s: TestStack;
  let slow: Server;
  let good: Server;
  const slowArrivals: Array<{ id: string; at: number }> = [];
  let slowOpen = 0;
  let slowMaxOpen = 0;
  const goodArrivals: Array<{ id: string; at: number; body: any; slowOpen: number }> = [];

  before(async () => {
    const a = await listen((_req, body, res) => {
      // Never answers: the request is left open until the outbox gives up on it.
      slowArrivals.push({ id: body.id, at: Date.now() });
      slowOpen += 1;
      slowMaxOpen = Math.max(slowMaxOpen, slowOpen);
      res.on('close', () => (slowOpen -= 1));
    });
    const b = await listen((_req, body, res) => {
      goodArrivals.push({ id: body.id, at: Date.now(), body, slowOpen });
      res.writeHead(204).end();
    });
    slow = a.server;
    good = b.server;
    s = await startTestStack({
      notifyReceivers: { hjorring: a.url, testby: b.url },
      notifyPollMs: 200,
      notifyTimeoutMs: TIMEOUT_MS,
    });
  });
  after(async () => {
    await s?.stop();
    slow?.closeAllConnections();
    slow?.close();
    good?.close();
  });

  it("delivers the answering receiver's notices promptly while the other hangs, and never twice while in flight", async () => {
    // Hjørring: a measure overdue past every step of the ladder: one escalation per overdue deadline
    // (startup meeting, treatment plan, first follow-up, reassessment) for the hanging receiver.
    const hj = measureId('SLOW');
    const startOn = addToDate(dateOf(Date.now()), '-P7M');
    const r1 = await s.post(
      event('measure.granted', hj, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'gul',
        caseId: 'C-1',
        caseworkerId: 'cw-1',
        teamId: 'team-nord',
        grantedOn: startOn,
        startOn,
        // Ordered with its handleplan (Hjørring l.188): only the timers' deadlines escalate.
        prerequisites: ['handleplan'],
      }),
    );
    assert.equal(r1.status, 202);
    await eventually(async () => slowArrivals.length >= 4, 'the hanging receiver holds its deliveries', 30_000);

    // Testby: first follow-up due after 4 s; caseworker at once, team leader 4 s later.
    const tb = measureId('GOOD');
    const today = dateOf(Date.now());
    const r2 = await s.post(
      event('measure.granted', tb, {
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'roed',
        caseId: 'C-2',
        caseworkerId: 'cw-2',
        teamId: 'team-syd',
        grantedOn: today,
        startOn: today,
      }),
    );
    assert.equal(r2.status, 202);

    const rows = await eventually(
      async () => {
        const e = (await s.get(`/v1/escalations?measureId=${tb}`)).body.items;
        return e.length === 2 && e.every((x: any) => x.notifiedAt) && e;
      },
      "Testby's two escalations delivered",
      40_000,
    );
    for (const row of rows) {
      const arrived = goodArrivals.find((a) => a.body.data.measureId === tb && a.body.data.level === row.level);
      assert.ok(arrived, `level ${row.level} reached the answering receiver`);
      const lag = arrived.at - Date.parse(row.raisedAt);
      // Promptly: the poll interval and a little, not behind the hanging receiver's timeouts.
      assert.ok(lag < 3_000, `level ${row.level} delivered ${lag} ms after it was raised`);
      assert.ok(arrived.slowOpen > 0, `level ${row.level} delivered while the other receiver's deliveries hung`);
    }
    assert.ok(
      goodArrivals.every((a) => a.body.data.municipality === 'testby'),
      'each receiver gets its own municipality',
    );

    // Hjørring's are still undelivered, and the hanging receiver held at most its share of the slots.
    const hjRows = (await s.get(`/v1/escalations?measureId=${hj}`)).body.items;
    assert.equal(hjRows.length, 4);
    assert.ok(hjRows.every((x: any) => !x.notifiedAt));
    assert.ok(slowMaxOpen <= 4, `at most 4 deliveries in flight to one receiver (saw ${slowMaxOpen})`);
    assert.ok(slowArrivals.every((a) => a.id.startsWith(`escalation/hjorring/${hj}/`)));

    // Leased while in flight: no notice was sent a second time while its first delivery hung.
    const ids = slowArrivals.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, `no duplicate deliveries (${ids.length} requests)`);
  });
});

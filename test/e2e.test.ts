// End to end over HTTP against the real stack: Temporal dev server, PostgreSQL, worker, API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addToDate, dateOf } from '../machines/dates';
import { eventUpdate } from '../workflows/definitions';
import { measureWorkflowId } from '../workflows/ids';
import { event, eventually, measureId, startTestStack, testAuthHeaders, type TestStack } from './support/stack';

const today = () => dateOf(Date.now());
const ago = (d: string) => addToDate(today(), `-${d}`);

function grant(subject: string, data: Record<string, unknown>) {
  return event('measure.granted', subject, { caseId: 'C-1', caseworkerId: 'cw-12', teamId: 'team-nord', ...data });
}

describe('end to end over HTTP', { timeout: 240_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });

  it('answers health once the database and Temporal are reachable', async () => {
    const h = await s.get('/health');
    assert.equal(h.status, 200);
    assert.deepEqual(h.body, { status: 'ok', database: 'ok', temporal: 'ok' });
  });

  it('escalates a measure granted today when its first follow-up falls due: caseworker, then team leader', async () => {
    const id = measureId('FAST');
    const r = await s.post(
      grant(id, {
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'roed',
        grantedOn: today(),
        startOn: today(),
      }),
    );
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.state, 'awaiting-first-follow-up');

    const before = await s.get(`/v1/escalations?measureId=${id}`);
    assert.deepEqual(before.body, { items: [], next: null }, 'nothing is overdue yet');

    // The test policy: first follow-up after 4 s, caseworker at once, team leader 4 s later.
    const one = await eventually(async () => {
      const e = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
      return e.length >= 1 && e;
    }, 'the caseworker escalation');
    assert.equal(one[0].role, 'sagsbehandler');
    assert.equal(one[0].deadlineKind, 'first-follow-up');

    const two = await eventually(async () => {
      const e = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
      return e.length >= 2 && e;
    }, 'the team-leader escalation');
    assert.deepEqual(
      two.map((e: any) => [e.level, e.role]),
      [
        [1, 'sagsbehandler'],
        [2, 'teamleder'],
      ],
    );

    // The projection is written just after the escalation row: wait for it rather than race it.
    const first = await eventually(async () => {
      const d = (await s.get(`/v1/measures/${id}`)).body.deadlines.find((x: any) => x.kind === 'first-follow-up');
      return d.escalationLevel === 2 && d;
    }, 'the projection to show level 2');
    assert.equal(first.status, 'overdue');

    const overdue = (await s.get(`/v1/measures?municipality=testby&overdue=true&limit=1000`)).body.items.map(
      (x: any) => x.measureId,
    );
    assert.ok(overdue.includes(id));

    // Operators see it in Temporal's visibility through the search attributes.
    const wid = measureWorkflowId('testby', id);
    await eventually(async () => {
      for await (const w of s.client.workflow.list({
        query: `WorkflowId = '${wid}' AND Municipality = 'testby' AND EscalationLevel = 2 AND MeasureState = 'awaiting-first-follow-up'`,
      }))
        return w;
      return undefined;
    }, 'search attributes in visibility');
  });

  it('puts a back-dated 7-month-old measure into forced reassessment with one escalation, at the level now due', async () => {
    const id = measureId('OLD');
    const startOn = ago('P7M');
    const r = await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'praktisk-paedagogisk-stoette',
        package: 'orange',
        grantedOn: startOn,
        startOn,
      }),
    );
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.state, 'reassessment-due');

    const m = (await s.get(`/v1/measures/${id}`)).body;
    const re = m.deadlines.find((d: any) => d.kind === 'reassessment');
    assert.equal(re.dueOn, addToDate(startOn, 'P6M'));
    assert.equal(re.expectedFrom, addToDate(startOn, 'P3M'));
    assert.equal(re.status, 'overdue');

    const esc = await eventually(async () => {
      const e = (await s.get(`/v1/escalations?measureId=${id}`)).body.items.filter(
        (x: any) => x.deadlineKind === 'reassessment',
      );
      return e.length >= 1 && e;
    }, 'reassessment escalations');
    // A month overdue: past every step of Hjørring's ladder. One escalation, to the department
    // head, not three in the same second.
    await new Promise((res) => setTimeout(res, 1_000));
    const all = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
    assert.deepEqual(
      esc.map((e: any) => [e.level, e.role]),
      [[3, 'afdelingsleder']],
    );
    assert.equal(all.filter((x: any) => x.deadlineKind === 'reassessment').length, 1);
  });

  it('meets the first follow-up and moves the next one 3 months on; the same event twice is accepted once', async () => {
    const id = measureId('FU');
    const startOn = ago('P20D');
    assert.equal(
      (
        await s.post(
          grant(id, {
            municipality: 'hjorring',
            measureType: 'familiebehandling',
            package: 'gul',
            grantedOn: startOn,
            startOn,
          }),
        )
      ).status,
      202,
    );
    assert.equal(
      (await s.post(event('measure.startup-meeting-held', id, { heldOn: addToDate(startOn, 'P3D') }))).status,
      202,
    );

    const heldOn = ago('P1D');
    const fu = event('measure.follow-up-held', id, {
      heldOn,
      participants: ['executor', 'parents'],
      actionPlanDecision: 'keep',
    });
    const first = await s.post(fu);
    assert.equal(first.status, 202);
    assert.deepEqual(first.body, { id: fu.id, measureId: id, state: 'following-up', duplicate: false });
    const again = await s.post(fu);
    assert.equal(again.status, 202);
    assert.deepEqual(again.body, { ...first.body, duplicate: true });

    const m = (await s.get(`/v1/measures/${id}`)).body;
    const ff = m.deadlines.find((d: any) => d.kind === 'first-follow-up');
    assert.equal(ff.dueOn, addToDate(startOn, 'P4W'));
    assert.equal(ff.status, 'met');
    assert.equal(ff.metOn, heldOn);
    assert.equal(ff.basis, 'municipal');
    assert.ok(
      ff.alsoRequiredBy.some((a: any) => a.basis === 'statutory' && a.dueOn === addToDate(startOn, 'P3M')),
      'the statutory floor is shown beside it',
    );
    const next = m.deadlines.find((d: any) => d.kind === 'follow-up');
    assert.equal(next.dueOn, addToDate(heldOn, 'P3M'));
    assert.equal(next.status, 'pending');
    assert.equal(
      m.history.filter((h: any) => h.type === 'measure.follow-up-held').length,
      1,
      'the duplicate was not applied twice',
    );

    const stored = await s.pool.query('SELECT status FROM inbox WHERE source = $1 AND event_id = $2 ORDER BY seq', [
      fu.source,
      fu.id,
    ]);
    assert.deepEqual(
      stored.rows.map((r) => r.status),
      [202, 202],
      'both deliveries are stored',
    );
  });

  it('stores a follow-up that lacks what the policy requires, without meeting the deadline', async () => {
    const id = measureId('NC');
    const startOn = ago('P10D');
    await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'kontaktperson-barn',
        package: 'gul',
        grantedOn: startOn,
        startOn,
      }),
    );
    await s.post(event('measure.startup-meeting-held', id, { heldOn: startOn }));
    const r = await s.post(event('measure.follow-up-held', id, { heldOn: today(), participants: ['executor'] }));
    assert.equal(r.status, 202);
    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.deadlines.find((d: any) => d.kind === 'first-follow-up').status, 'pending');
    const h = m.history.find((x: any) => x.type === 'measure.follow-up-held');
    assert.equal(h.detail.counts, false);
    assert.deepEqual(h.detail.missing, ['participant parents', 'a decision on the action plan']);
  });

  it('rejects a malformed event with 400 and the path of what was wrong, and stores it', async () => {
    const bad = event('measure.follow-up-held', 'M-whatever', {
      heldOn: '2026-02-30',
      participants: ['executor', 'neighbour'],
    });
    const r = await s.post(bad);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid-event');
    const paths = r.body.issues.map((i: any) => i.path).sort();
    assert.deepEqual(paths, ['data.heldOn', 'data.participants[1]']);
    const stored = await s.pool.query('SELECT status, answer, body FROM inbox WHERE event_id = $1', [bad.id]);
    assert.equal(stored.rows.length, 1);
    assert.equal(stored.rows[0].status, 400);
    assert.deepEqual(stored.rows[0].answer, r.body);
    assert.equal(stored.rows[0].body.data.heldOn, '2026-02-30');

    const notJson = await s.post('{"specversion": "1.0", ');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.issues[0].path, '(body)');
    const raw = await s.pool.query(`SELECT raw FROM inbox WHERE raw = '{"specversion": "1.0", '`);
    assert.equal(raw.rows.length, 1, 'even a body that is not JSON is stored');
  });

  it('answers 404 for an unknown measure, municipality, measure type or package', async () => {
    const r = await s.post(event('measure.startup-meeting-held', measureId('NOPE'), { heldOn: today() }));
    assert.equal(r.status, 404);
    assert.equal(r.body.error, 'unknown-measure');
    const base = { grantedOn: today(), startOn: today() };
    assert.equal(
      (await s.post(grant(measureId(), { municipality: 'atlantis', measureType: 'x', ...base }))).body.error,
      'unknown-municipality',
    );
    assert.equal(
      (await s.post(grant(measureId(), { municipality: 'hjorring', measureType: 'x', ...base }))).body.error,
      'unknown-measure-type',
    );
    const pkg = await s.post(
      grant(measureId(), { municipality: 'hjorring', measureType: 'familiebehandling', package: 'orange', ...base }),
    );
    assert.equal(pkg.status, 404);
    assert.equal(pkg.body.error, 'unknown-package', 'Hjørring family treatment has no Orange package');
  });

  it('answers 409 for a follow-up on a closed measure, and for events in an order the machine refuses', async () => {
    const id = measureId('CL');
    const startOn = ago('P1M');
    await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'roed',
        grantedOn: startOn,
        startOn,
      }),
    );
    // Hjørring's startup meeting timer is a municipal default: a follow-up before it is a legal duty
    // met, accepted with a warning (issue 9.6). The startup meeting twice is refused.
    const early = await s.post(
      event('measure.follow-up-held', id, {
        heldOn: today(),
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    );
    assert.equal(early.status, 202, JSON.stringify(early.body));
    assert.equal(early.body.warnings[0].code, 'follow-up-before-startup-meeting');
    assert.match(early.body.warnings[0].detail, /before a startup meeting was reported/);
    assert.match(early.body.warnings[0].message, /er registreret, selv om der endnu ikke er meldt et opstartsmøde/);
    assert.equal((await s.post(event('measure.startup-meeting-held', id, { heldOn: today() }))).status, 202);
    const twice = await s.post(event('measure.startup-meeting-held', id, { heldOn: today() }));
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error, 'invalid-transition');
    assert.match(twice.body.detail, /startup meeting was already held/);

    const closed = await s.post(event('measure.closed', id, { closedOn: today(), reason: 'goal-reached' }));
    assert.equal(closed.status, 202);
    assert.equal(closed.body.state, 'closed');
    const after = await s.post(
      event('measure.follow-up-held', id, {
        heldOn: today(),
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    );
    assert.equal(after.status, 409);
    assert.equal(after.body.state, 'closed');

    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.state, 'closed');
    assert.ok(
      m.deadlines.every((d: any) => d.status !== 'pending' && d.status !== 'overdue'),
      'nothing is left open on a closed measure',
    );

    const second = await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'roed',
        grantedOn: startOn,
        startOn,
      }),
    );
    assert.equal(second.status, 409);
  });

  it('answers a batch in order, 207 when the answers differ', async () => {
    const id = measureId('B');
    const startOn = ago('P5D');
    const r = await s.post([
      grant(id, { municipality: 'hjorring', measureType: 'sikkerhedsplan', grantedOn: startOn, startOn }),
      event('measure.startup-meeting-held', id, { heldOn: startOn }),
      event('measure.startup-meeting-held', id, { heldOn: startOn }),
      { specversion: '1.0' },
    ]);
    assert.equal(r.status, 207);
    assert.deepEqual(
      r.body.map((a: any) => a.status),
      [202, 202, 409, 400],
    );
  });

  it('loses nothing, and raises one escalation per deadline when the worker comes back across several ladder steps', async () => {
    const id = measureId('RS');
    const r = await s.post(
      grant(id, {
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'groen',
        grantedOn: today(),
        startOn: today(),
      }),
    );
    assert.equal(r.status, 202);
    await s.stopWorker();
    // While no worker runs, the first follow-up falls due (4 s) and the team-leader step passes (8 s);
    // a package change arrives and must wait, not be lost.
    const pending = s.post(
      event('measure.package-changed', id, {
        package: 'roed',
        effectiveOn: addToDate(today(), 'P1D'),
        reason: 'more support needed',
      }),
    );
    await new Promise((res) => setTimeout(res, 9_000));
    await s.startWorker();
    const changed = await pending;
    assert.equal(changed.status, 202, JSON.stringify(changed.body));

    const esc = await eventually(async () => {
      const e = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
      return e.length >= 1 && e;
    }, 'escalations after the restart');
    await s.restartWorker();
    await new Promise((res) => setTimeout(res, 2_000));
    const final = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
    assert.deepEqual(
      final.map((e: any) => [e.level, e.role]),
      [[2, 'teamleder']],
      'one escalation at the level now due, not the caseworker and the team leader at once',
    );
    assert.deepEqual(final, esc);
    const rows = await s.pool.query('SELECT count(*)::int AS n FROM escalations WHERE measure_id = $1', [id]);
    assert.equal(rows.rows[0].n, 1);
    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.package, 'roed');
  });
  it('resolves an escalation when its deadline is met late, and climbs no further', async () => {
    const id = measureId('RES');
    const r = await s.post(
      grant(id, {
        municipality: 'testby',
        measureType: 'hurtig-stoette',
        package: 'groen',
        grantedOn: today(),
        startOn: today(),
      }),
    );
    assert.equal(r.status, 202);
    // The first follow-up falls due after 4 s: the caseworker is told (the team leader 4 s later).
    await eventually(async () => (await s.get(`/v1/escalations?measureId=${id}`)).body.items.length >= 1, 'level 1');
    const held = await s.post(
      event('measure.follow-up-held', id, {
        heldOn: today(),
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    );
    assert.equal(held.status, 202, JSON.stringify(held.body));
    const resolved = await eventually(async () => {
      const items = (await s.get(`/v1/escalations?measureId=${id}`)).body.items;
      return items.every((e: any) => e.resolvedAt) && items;
    }, 'the escalations resolved');
    assert.ok(resolved.every((e: any) => e.resolution === 'met-late' && e.resolvedAt >= e.raisedAt));
    assert.deepEqual((await s.get(`/v1/escalations?measureId=${id}&open=true`)).body.items, []);
    // Past every step the measure could still have climbed: a met deadline raises nothing more.
    await new Promise((res) => setTimeout(res, 5_000));
    assert.equal((await s.get(`/v1/escalations?measureId=${id}`)).body.items.length, resolved.length);
    const ff = (await s.get(`/v1/measures/${id}`)).body.deadlines.find((d: any) => d.id === 'first-follow-up');
    assert.deepEqual([ff.status, ff.late], ['met', true]);
  });

  it('continues-as-new before its history grows large, and still knows the events it has seen', async () => {
    const id = measureId('CAN');
    const startOn = ago('P1Y');
    await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'stoetteperson',
        package: 'stoetteperson',
        grantedOn: startOn,
        startOn,
      }),
    );
    const meeting = event('measure.startup-meeting-held', id, { heldOn: startOn });
    assert.equal((await s.post(meeting)).status, 202);
    for (let i = 1; i <= 20; i++) {
      const r = await s.post(
        event('measure.follow-up-held', id, {
          heldOn: addToDate(startOn, `P${i}D`),
          participants: ['executor', 'parents'],
          actionPlanDecision: 'keep',
        }),
      );
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    const wid = measureWorkflowId('hjorring', id);
    const runs: string[] = [];
    for await (const w of s.client.workflow.list({ query: `WorkflowId = '${wid}'` })) runs.push(w.status.name);
    assert.ok(runs.includes('CONTINUED_AS_NEW'), `expected a continued-as-new run, saw ${runs.join(', ')}`);
    // The new run's input carries the policy once: as its policy, not again inside the snapshot.
    const started = (await s.client.workflow.getHandle(wid).fetchHistory()).events?.[0];
    const [raw] = await s.payloadCodec.decode(started!.workflowExecutionStartedEventAttributes!.input!.payloads!);
    const input = defaultPayloadConverter.fromPayload<any>(raw);
    assert.ok(input.carried, 'the current run was continued');
    assert.equal(input.policy.measureType.slug, 'stoetteperson');
    assert.equal(input.carried.snapshot.context.policy, undefined);

    // Past the inbox, straight to the workflow: the new run still recognises the old event.
    const replayed = await s.client.workflow.getHandle(wid).executeUpdate(eventUpdate, {
      args: [
        {
          type: 'measure.startup-meeting-held',
          eventId: `${meeting.source}/${meeting.id}`,
          at: Date.now(),
          data: { heldOn: startOn },
        },
      ],
      updateId: 'a-fresh-update-id',
    });
    assert.equal(replayed.duplicate, true);
    const m = (await s.get(`/v1/measures/${id}`)).body;
    assert.equal(m.history.filter((h: any) => h.type === 'measure.follow-up-held').length, 20);
  });

  it('keeps payloads encrypted in Temporal, and decrypts them for the UI through the codec endpoint', async () => {
    const id = measureId('ENC');
    await s.post(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'samvaer',
        package: 'stoettet-samvaer',
        grantedOn: today(),
        startOn: today(),
        caseId: 'C-secret-42',
      }),
    );
    const history = await s.client.workflow.getHandle(measureWorkflowId('hjorring', id)).fetchHistory();
    const input = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.ok(input?.metadata && input.data);
    assert.equal(Buffer.from(input.metadata.encoding!).toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(input.data).toString('latin1').includes('C-secret-42'), 'the stored input is not readable');

    const res = await fetch(`${s.apiUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...testAuthHeaders() },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(input.metadata).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
            ),
            data: Buffer.from(input.data).toString('base64'),
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const decoded = (await res.json()) as { payloads: Array<{ data: string }> };
    assert.match(Buffer.from(decoded.payloads[0].data, 'base64').toString(), /"measureId":"ENC-/);
  });

  it('replays every history these tests recorded without non-determinism', async () => {
    const histories = s.client.workflow.list({ query: `WorkflowType = 'measureWorkflow'` }).intoHistories();
    const recorded: Array<{ workflowId: string; history: any }> = [];
    let n = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: s.workflowBundle, replayName: 'e2e', dataConverter: { payloadCodecs: [s.payloadCodec] } },
      keep(histories, recorded),
    )) {
      n += 1;
      assert.equal(result.error, undefined, `${result.workflowId}: ${result.error?.message}`);
    }
    assert.ok(n >= 10, `replayed ${n} histories`);
    // RECORD_HISTORIES=1 refreshes the fixtures test/replay.test.ts replays on every run.
    if (process.env.RECORD_HISTORIES === '1') {
      const dir = join(__dirname, 'histories');
      mkdirSync(dir, { recursive: true });
      for (const h of recorded)
        writeFileSync(
          join(dir, `${h.workflowId.replace(/[^A-Za-z0-9-]+/g, '_')}.history.bin`),
          temporal.api.history.v1.History.encode(h.history).finish(),
        );
    }
  });
});

async function* keep<T extends { workflowId: string; history: any }>(
  source: AsyncIterable<T>,
  into: T[],
): AsyncIterable<T> {
  for await (const h of source) {
    into.push(h);
    yield h;
  }
}

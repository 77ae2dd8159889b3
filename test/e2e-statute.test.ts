// Issue 9's rule kinds over HTTP against the real stack (Temporal + PostgreSQL): one measure of each.
// Every date is worked out by hand from the seed line cited beside it; the machine-level tests are in
// test/statute.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event, measureId, startTestStack, type TestStack } from './support/stack';

const grant = (subject: string, data: Record<string, unknown>) =>
  event('measure.granted', subject, { caseId: 'C-9', caseworkerId: 'cw-9', teamId: 'team-nord', ...data });

describe("the statute and the seeds' own rule kinds over HTTP", { timeout: 180_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });

  const measure = async (id: string) => (await s.get(`/v1/measures/${id}`)).body;
  const deadline = (m: any, id: string) => {
    const d = m.deadlines.find((x: any) => x.id === id);
    assert.ok(d, `${id} among ${m.deadlines.map((x: any) => x.id).join(', ')}`);
    return d;
  };
  const accepted = async (body: unknown) => {
    const r = await s.post(body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body;
  };

  it('a placement under BL § 95 jf. § 96, whose homecoming plan blocks the closure while owed (Halsnæs plejefamilie)', async () => {
    const id = measureId('HAL-PL');
    await accepted(
      grant(id, {
        municipality: 'halsnaes',
        measureType: 'plejefamilie',
        grantedOn: '2026-03-02',
        startOn: '2026-03-02',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    const ff = deadline(await measure(id), 'first-follow-up');
    // 2026-03-02 + 3 months = 2026-06-02: the statute governs (no municipal rhythm).
    assert.deepEqual(
      [ff.dueOn, ff.basis, ff.source.paragraph],
      ['2026-06-02', 'statutory', 'Barnets Lov § 95, jf. § 96'],
    );
    await accepted(event('child.placement-ended', id, { endedOn: '2026-11-20' }));
    // 002 l.2631: "Ved hjemgivelses udarbejdes en hjemgivelsesplan."
    const refused = await s.post(event('measure.closed', id, { closedOn: '2026-11-25', reason: 'goal-reached' }));
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /homecoming-plan \(due 2026-11-20\) is still owed/);
    // A stable code for machines, Danish words for the caseworker (issue 9.11).
    assert.equal(refused.body.code, 'obligation-owed');
    assert.equal(
      refused.body.message,
      'Hjemgivelsesplan (frist 20.11.2026) mangler stadig: registrér den, før foranstaltningen afsluttes',
    );
    assert.equal(deadline(await measure(id), 'homecoming-plan').name, 'Hjemgivelsesplan');
    await accepted(event('measure.obligation-met', id, { obligation: 'homecoming-plan', metOn: '2026-11-20' }));
    assert.equal(
      (await accepted(event('measure.closed', id, { closedOn: '2026-11-25', reason: 'goal-reached' }))).state,
      'closed',
    );
  });

  it('a soft monthly rhythm and the hard floor behind it are two deadlines (Halsnæs døgnophold for familien)', async () => {
    const id = measureId('HAL-DF');
    await accepted(
      grant(id, {
        municipality: 'halsnaes',
        measureType: 'doegnophold-familie',
        grantedOn: '2026-03-02',
        startOn: '2026-03-02',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    const m = await measure(id);
    // 002 l.2029-2031 "gerne 1 gang månedligt": 2026-04-02 (soft); BL § 95: 2026-06-02 (hard). Both overdue today.
    assert.deepEqual(
      [deadline(m, 'first-follow-up').dueOn, deadline(m, 'first-follow-up').strength],
      ['2026-04-02', 'soft'],
    );
    assert.deepEqual(
      [deadline(m, 'first-follow-up-statutory').dueOn, deadline(m, 'first-follow-up-statutory').strength],
      ['2026-06-02', 'hard'],
    );
  });

  it('a count limit continued at its evaluation with a new count (Norddjurs konsulentbistand, 004 l.318-320)', async () => {
    const id = measureId('NOR-KB');
    await accepted(
      grant(id, {
        municipality: 'norddjurs',
        measureType: 'konsulentbistand',
        grantedOn: '2026-09-01',
        startOn: '2026-09-01',
      }),
    );
    const days = [
      '2026-09-01',
      '2026-09-08',
      '2026-09-15',
      '2026-09-22',
      '2026-09-29',
      '2026-10-06',
      '2026-10-13',
      '2026-10-20',
    ];
    let last: any;
    for (const heldOn of days) last = await accepted(event('measure.session-held', id, { heldOn }));
    assert.equal(last.state, 'reassessment-due');
    const ninth = await s.post(event('measure.session-held', id, { heldOn: '2026-10-27' }));
    assert.equal(ninth.status, 409);
    assert.match(ninth.body.detail, /at most 8 møder/);
    assert.equal(ninth.body.code, 'count-limit-reached');
    assert.equal(
      ninth.body.message,
      'Konsulentbistand, herunder familierettede, hjemmebaserede indsatser omfatter højst 8 møder, og 8 er holdt; forløbet kan fortsætte med en forlængelse godkendt af sagsbehandler',
    );
    const x = await accepted(
      event('measure.extended', id, { count: 10, approvedBy: 'sagsbehandler', decidedOn: '2026-10-22' }),
    );
    assert.equal(x.state, 'following-up');
    await accepted(event('measure.session-held', id, { heldOn: '2026-10-27' }));
    const tenth = await accepted(event('measure.session-held', id, { heldOn: '2026-11-03' }));
    assert.equal(tenth.state, 'reassessment-due');
    const m = await measure(id);
    assert.deepEqual(
      [deadline(m, 'course-end').metOn, deadline(m, 'course-end#1').dueOn, deadline(m, 'course-end#1').approvedBy],
      ['2026-10-22', '2026-11-03', 'sagsbehandler'],
    );
  });

  it('an age passed before the start is due at the start, on the measure before 18 (Haderslev kontaktperson, 001 l.1863)', async () => {
    const id = measureId('HAD-KP');
    // Born 2008-12-31: 17½ on 2026-06-30, before the start 2026-09-01: due 2026-09-01, not 2026-06-30.
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'kontaktperson',
        grantedOn: '2026-08-25',
        startOn: '2026-09-01',
        childBirthDate: '2008-12-31',
      }),
    );
    const m = await measure(id);
    assert.equal(deadline(m, 'aftercare-decision').dueOn, '2026-09-01');
    assert.equal(deadline(m, 'uu-involved').dueOn, '2026-09-01');
    assert.notEqual(m.state, 'reassessment-due');
  });

  it('nextMeetingOn before heldOn is a 400 naming the field, and is stored', async () => {
    const bad = event('measure.follow-up-held', measureId('X'), {
      heldOn: '2026-05-29',
      participants: ['parents'],
      nextMeetingOn: '2026-05-01',
    });
    const r = await s.post(bad);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.issues, [
      { path: 'data.nextMeetingOn', message: 'nextMeetingOn must not be before heldOn' },
    ]);
    assert.equal((await s.pool.query('SELECT status FROM inbox WHERE event_id = $1', [bad.id])).rows[0].status, 400);
  });

  it('a reassessment met on the decision date (Hjørring familiebehandling, 000 l.181-185)', async () => {
    const id = measureId('HJ-FB');
    await accepted(
      grant(id, {
        municipality: 'hjorring',
        measureType: 'familiebehandling',
        package: 'roed',
        grantedOn: '2026-03-02',
        startOn: '2026-03-02',
        prerequisites: ['handleplan'],
      }),
    );
    await accepted(
      event('measure.package-changed', id, {
        package: 'gul',
        effectiveOn: '2026-09-01',
        reason: 'revurdering',
        decidedOn: '2026-08-20',
      }),
    );
    const re = deadline(await measure(id), 'reassessment#1');
    assert.deepEqual([re.dueOn, re.metOn], ['2026-09-02', '2026-08-20']);
  });
});

// The four other municipalities' service levels, over HTTP against the real stack: a real measure
// of each rule kind through its life. Every expected date is worked out by hand from the seed line
// cited beside it; the machine-level tests per municipality (test/municipality-*.test.ts) go deeper.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event, measureId, startTestStack, type TestStack } from './support/stack';

const grant = (subject: string, data: Record<string, unknown>) =>
  event('measure.granted', subject, { caseId: 'C-9', caseworkerId: 'cw-3', teamId: 'team-syd', ...data });

describe('every municipality over HTTP', { timeout: 180_000 }, () => {
  let s: TestStack;
  before(async () => {
    s = await startTestStack();
  });
  after(async () => {
    await s?.stop();
  });

  const measure = async (id: string) => {
    const r = await s.get(`/v1/measures/${id}`);
    assert.equal(r.status, 200);
    return r.body;
  };
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

  it('lists all five municipalities, each measure type with both legal references and its timers', async () => {
    const all = (await s.get('/v1/catalogue')).body.map((m: any) => m.municipality);
    for (const m of ['hjorring', 'haderslev', 'halsnaes', 'allerod', 'norddjurs']) assert.ok(all.includes(m), m);
    const had = (await s.get('/v1/catalogue/haderslev')).body;
    const fb = had.measureTypes.find((t: any) => t.slug === 'familiebehandling');
    assert.ok(fb.legalBasis.some((l: string) => l.includes('§ 52')));
    assert.ok(fb.barnetsLov.some((b: any) => b.ref.startsWith('BL § 32')));
    const re = fb.timers.find((t: any) => t.timer === 'reassessment');
    assert.match(re.sourceText, /^001_f92068b97448aae5\.txt l\.\d+/);
    const nor = (await s.get('/v1/catalogue/norddjurs')).body;
    assert.equal(nor.measureTypes.find((t: any) => t.slug === 'brus').discontinued, true);
  });

  it('Haderslev: "som minimum hver 6-8 uge" is a range, and documents must be in place before the start', async () => {
    const id = measureId('HAD-DAG');
    // Granted and started Monday 2026-01-05, three of the four documents in place.
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'dagtilbud-uddannelsessted',
        grantedOn: '2026-01-05',
        startOn: '2026-01-05',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan', 'udviklingsplan'],
      }),
    );
    let m = await measure(id);
    const first = deadline(m, 'first-follow-up');
    assert.equal(first.expectedFrom, '2026-02-16'); // + 6 weeks
    assert.equal(first.dueOn, '2026-03-02'); // + 8 weeks
    assert.equal(first.basis, 'municipal');
    assert.deepEqual(
      first.alsoRequiredBy.map((a: any) => [a.basis, a.dueOn]),
      [['statutory', '2026-04-05']],
    ); // BL § 95: 3 months
    assert.equal(deadline(m, 'prerequisite-handleplan').status, 'met');
    assert.equal(deadline(m, 'prerequisite-familieraadslagning').status, 'overdue');

    await accepted(
      event('measure.follow-up-held', id, {
        heldOn: '2026-02-20',
        participants: ['executor', 'parents'],
        actionPlanDecision: 'keep',
      }),
    );
    await accepted(
      event('measure.obligation-met', id, { obligation: 'prerequisite-familieraadslagning', metOn: '2026-01-20' }),
    );
    m = await measure(id);
    assert.equal(deadline(m, 'first-follow-up').metOn, '2026-02-20');
    assert.equal(deadline(m, 'follow-up#1').expectedFrom, '2026-04-03'); // 2026-02-20 + 6 weeks
    assert.equal(deadline(m, 'follow-up#1').dueOn, '2026-04-17'); // + 8 weeks
    assert.equal(deadline(m, 'prerequisite-familieraadslagning').metOn, '2026-01-20');
  });

  it("Haderslev: family treatment at most 6 months, 9 in special cases, with the leader's approval", async () => {
    const id = measureId('HAD-FB');
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'familiebehandling',
        grantedOn: '2026-03-02',
        startOn: '2026-03-02',
      }),
    );
    let m = await measure(id);
    assert.equal(deadline(m, 'reassessment#1').dueOn, '2026-09-02'); // 6 months
    assert.equal(m.state, 'reassessment-due');

    const bySagsbehandler = await s.post(
      event('measure.extended', id, { until: '2026-12-02', approvedBy: 'sagsbehandler' }),
    );
    assert.equal(bySagsbehandler.status, 409);
    assert.match(
      bySagsbehandler.body.detail,
      /must be approved by teamleder or afdelingsleder; approvedBy was sagsbehandler/,
    );
    const tooLong = await s.post(event('measure.extended', id, { until: '2027-01-15', approvedBy: 'teamleder' }));
    assert.equal(tooLong.status, 409);
    assert.match(tooLong.body.detail, /2026-12-02/); // 9 months from the start is the most

    await accepted(event('measure.extended', id, { until: '2026-12-02', approvedBy: 'teamleder' }));
    m = await measure(id);
    assert.equal(deadline(m, 'reassessment#1').status, 'met');
    assert.equal(deadline(m, 'reassessment#1.1').dueOn, '2026-12-02');
  });

  it('Haderslev: the aftercare decision half a year before the 18th birthday, on the contact person; the birth date never shows', async () => {
    // Born 2009-08-31: 17½ on 2027-02-28 (clamped), 18 on 2027-08-31, 23 on 2032-08-31 (001 l.1863, l.1806-1808).
    const kp = measureId('HAD-KP');
    await accepted(
      grant(kp, {
        municipality: 'haderslev',
        measureType: 'kontaktperson',
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
        childBirthDate: '2009-08-31',
      }),
    );
    const k = await measure(kp);
    assert.equal(deadline(k, 'aftercare-decision').dueOn, '2027-02-28');
    assert.ok(!JSON.stringify(k).includes('2009-08-31'), 'the birth date is not in the projection');
    const id = measureId('HAD-EV');
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'eftervaern',
        grantedOn: '2026-11-02',
        startOn: '2027-08-31',
        childBirthDate: '2009-08-31',
      }),
    );
    const m = await measure(id);
    assert.ok(!m.deadlines.some((d: any) => d.kind === 'aftercare-decision'), 'not on the aftercare that starts at 18');
    assert.equal(deadline(m, 'age-limit').dueOn, '2032-08-31');
    assert.ok(!JSON.stringify(m).includes('2009-08-31'), 'the birth date is not in the projection');

    // Efterværn is for 18-22-year-olds (soft): an earlier start is accepted with a warning.
    const early = await accepted(
      grant(measureId('HAD-EV'), {
        municipality: 'haderslev',
        measureType: 'eftervaern',
        grantedOn: '2026-11-02',
        startOn: '2027-06-01',
        childBirthDate: '2009-08-31',
      }),
    );
    assert.equal(early.warnings.length, 1);
    assert.equal(early.warnings[0].code, 'age-below-limit');
    assert.match(early.warnings[0].detail, /from the age of 18y/);
    assert.match(
      early.warnings[0].message,
      /bevilges som udgangspunkt fra 18 år; barnet er yngre ved start 01\.06\.2027/,
    );
  });

  it('Haderslev: a support person must be decided on when the placement ends', async () => {
    const id = measureId('HAD-54');
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'stoetteperson',
        grantedOn: '2026-02-02',
        startOn: '2026-02-02',
        prerequisites: ['handleplan'],
      }),
    );
    assert.notEqual((await measure(id)).state, 'reassessment-due');
    const r = await accepted(event('child.placement-ended', id, { endedOn: '2026-11-20' }));
    assert.equal(r.state, 'reassessment-due');
    assert.equal(deadline(await measure(id), 'end-after-placement-ended').dueOn, '2026-11-20');
  });

  it('Halsnæs: the next meeting agreed at a follow-up is the deadline when it is earlier', async () => {
    const id = measureId('HAL-PPS');
    await accepted(
      grant(id, {
        municipality: 'halsnaes',
        measureType: 'praktisk-paedagogisk-stoette',
        grantedOn: '2026-01-05',
        startOn: '2026-01-05',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    let m = await measure(id);
    const first = deadline(m, 'first-follow-up');
    assert.equal(first.dueOn, '2026-04-05'); // after 3 months, as the statutory floor: the municipal rule governs a tie
    assert.equal(first.basis, 'municipal');
    await accepted(
      event('measure.follow-up-held', id, {
        heldOn: '2026-03-20',
        participants: ['executor', 'parents'],
        nextMeetingOn: '2026-06-15',
      }),
    );
    m = await measure(id);
    const next = deadline(m, 'follow-up#1');
    assert.equal(next.dueOn, '2026-06-15'); // the rhythm alone gives 2027-03-20 (yearly)
    assert.equal(next.alsoRequiredBy[0].dueOn, '2027-03-20');
  });

  it('Halsnæs: foster care has visits, plan reviews and two conversations with the child a year', async () => {
    const id = measureId('HAL-PF');
    await accepted(
      grant(id, {
        municipality: 'halsnaes',
        measureType: 'plejefamilie',
        grantedOn: '2026-01-05',
        startOn: '2026-01-05',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    let m = await measure(id);
    assert.equal(deadline(m, 'visit').dueOn, '2026-04-05'); // after 3 months
    assert.equal(deadline(m, 'plan-review').dueOn, '2026-07-05'); // at most 6 months apart
    assert.equal(deadline(m, 'child-conversation').dueOn, '2026-07-05'); // twice a year
    await accepted(event('measure.obligation-met', id, { obligation: 'child-conversation', metOn: '2026-06-01' }));
    await accepted(event('child.placement-ended', id, { endedOn: '2026-11-20' }));
    m = await measure(id);
    assert.equal(deadline(m, 'child-conversation#1').dueOn, '2026-12-01'); // six months after the one held
    assert.equal(deadline(m, 'homecoming-plan').dueOn, '2026-11-20');
    const unknown = await s.post(
      event('measure.obligation-met', id, { obligation: 'workshop-1', metOn: '2026-06-01' }),
    );
    assert.equal(unknown.status, 409);
    assert.match(unknown.body.detail, /no obligation workshop-1/);
  });

  it('Allerød: a transition plan at 17½, and the contact person ends within 3 months of a placement', async () => {
    const id = measureId('ALL-KP');
    // Born 2009-05-10: 17½ on 2026-11-10, 18 on 2027-05-10.
    await accepted(
      grant(id, {
        municipality: 'allerod',
        measureType: 'kontaktperson-ung',
        grantedOn: '2026-02-02',
        startOn: '2026-02-02',
        childBirthDate: '2009-05-10',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    await accepted(event('measure.startup-meeting-held', id, { heldOn: '2026-02-10' }));
    let m = await measure(id);
    assert.equal(deadline(m, 'transition-plan').dueOn, '2026-11-10');
    assert.equal(deadline(m, 'age-limit').dueOn, '2027-05-10');
    const placed = await accepted(event('child.placed', id, { placedOn: '2026-06-10' }));
    assert.equal(placed.state, 'reassessment-due'); // 2026-09-10 has passed
    m = await measure(id);
    assert.equal(deadline(m, 'end-after-placement').dueOn, '2026-09-10');
    const closed = await accepted(event('measure.closed', id, { closedOn: '2026-11-01', reason: 'placed' }));
    assert.equal(closed.state, 'closed');
  });

  it('Allerød: respite "som udgangspunkt" under 13 warns; an order is not ended for lack of motivation', async () => {
    // 003 l.894-896: "I 13-17 års alderen etableres aflastning som udgangspunkt ikke": soft (issue 9.9).
    const old = await accepted(
      grant(measureId('ALL-AF'), {
        municipality: 'allerod',
        measureType: 'aflastning',
        grantedOn: '2026-01-05',
        startOn: '2026-01-05',
        childBirthDate: '2012-01-01',
      }),
    );
    assert.match(old.warnings.map((w: { detail: string }) => w.detail).join(), /only up to the age of 13y/);

    const id = measureId('ALL-PAA');
    await accepted(
      grant(id, {
        municipality: 'allerod',
        measureType: 'familiebehandling-paalaeg',
        grantedOn: '2026-01-05',
        startOn: '2026-01-05',
      }),
    );
    const r = await s.post(event('measure.closed', id, { closedOn: '2026-11-01', reason: 'not-motivated' }));
    assert.equal(r.status, 409);
    assert.match(r.body.detail, /may not be closed with reason not-motivated/);
  });

  it('Norddjurs: up to three anonymous conversations; a discontinued offer cannot be granted', async () => {
    const id = measureId('NOR-AR');
    await accepted(
      grant(id, {
        municipality: 'norddjurs',
        measureType: 'anonym-raadgivning',
        grantedOn: '2026-10-01',
        startOn: '2026-10-01',
      }),
    );
    await accepted(event('measure.session-held', id, { heldOn: '2026-10-05' }));
    await accepted(event('measure.session-held', id, { heldOn: '2026-10-12' }));
    const third = await accepted(event('measure.session-held', id, { heldOn: '2026-10-19' }));
    assert.equal(third.state, 'reassessment-due');
    assert.equal(deadline(await measure(id), 'course-end').dueOn, '2026-10-19');

    const gone = await s.post(
      grant(measureId('NOR-PSY'), {
        municipality: 'norddjurs',
        measureType: 'psykologbistand-unge',
        grantedOn: '2026-10-01',
        startOn: '2026-10-01',
      }),
    );
    assert.equal(gone.status, 409);
    assert.match(gone.body.detail, /discontinued/);
  });

  it('delivery caps and target-group ages (issue 9.10): a hard cap refuses, a soft one warns, in Danish with a code', async () => {
    // Haderslev kompenserende kontaktperson: "kan ikke overstige 5 timer ugentligt" (001 l.788).
    const id = measureId('HAD-KOMP');
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'kontaktperson-kompenserende',
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
      }),
    );
    const report = (deliveredOn: string, hours: number) =>
      event('measure.delivery-reported', id, { deliveredOn, hours }, { source: 'urn:leverandoer:familiehuset' });
    await accepted(report('2026-11-02', 2));
    await accepted(report('2026-11-04', 2.5));
    // Friday 6 November: 4.5 + 1 = 5.5 hours in the week of Monday 2 to Sunday 8 November.
    const over = await s.post(report('2026-11-06', 1));
    assert.equal(over.status, 409, JSON.stringify(over.body));
    assert.equal(over.body.code, 'delivery-cap-exceeded');
    assert.match(
      over.body.message,
      /højst 5 timer om ugen; med denne levering 06\.11\.2026 bliver det 5\.5 i perioden 02\.11\.2026-08\.11\.2026/,
    );
    await accepted(report('2026-11-06', 0.5)); // exactly 5
    const bad = await s.post(event('measure.delivery-reported', id, { deliveredOn: '2026-11-06' }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues[0].path, 'data.hours');
    const m = await measure(id);
    assert.deepEqual(
      m.history.filter((h: any) => h.type === 'measure.delivery-reported').map((h: any) => [h.on, h.detail.hours]),
      [
        ['2026-11-02', 2],
        ['2026-11-04', 2.5],
        ['2026-11-06', 0.5],
      ],
    );

    // Haderslev støtteperson: "maksimalt ... 2 timer månedligt" (001 l.1786) with its exception: soft.
    const st = measureId('HAD-STP');
    await accepted(
      grant(st, {
        municipality: 'haderslev',
        measureType: 'stoetteperson',
        grantedOn: '2026-10-01',
        startOn: '2026-10-01',
      }),
    );
    await accepted(event('measure.delivery-reported', st, { deliveredOn: '2026-10-05', hours: 2 }));
    const third = await accepted(event('measure.delivery-reported', st, { deliveredOn: '2026-10-20', hours: 1 }));
    assert.equal(third.warnings[0].code, 'delivery-cap-exceeded');
    assert.match(
      third.warnings[0].message,
      /som udgangspunkt højst 2 timer om måneden.*er det 3 i perioden 01\.10\.2026-31\.10\.2026/,
    );

    // Hjørring kontaktperson til barnet: "i udgangspunktet kun ... 14-22 år" (000 l.503-505): a
    // child of 12 at the start (born 2014-06-01, start 2026-11-02) is granted, with a warning.
    const young = await accepted(
      grant(measureId('HJO-KPB'), {
        municipality: 'hjorring',
        measureType: 'kontaktperson-barn',
        package: 'gul',
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
        childBirthDate: '2014-06-01',
        prerequisites: ['handleplan'],
      }),
    );
    assert.deepEqual(
      young.warnings.map((w: any) => w.code),
      ['age-below-limit'],
    );
    assert.match(
      young.warnings[0].message,
      /bevilges som udgangspunkt fra 14 år; barnet er yngre ved start 02\.11\.2026/,
    );
  });

  it('scoped obligations, a prerequisite checklist and a case milestone (issue 9.10) over HTTP', async () => {
    // Haderslev afgiftning, granted 2026-11-02 with the egenbetaling listed (001 l.1389): met at grant.
    const id = measureId('HAD-AFG');
    await accepted(
      grant(id, {
        municipality: 'haderslev',
        measureType: 'afgiftning',
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
        prerequisites: [
          'boernefaglig-undersoegelse',
          'udviklingsplan',
          'familieraadslagning',
          'handleplan',
          'egenbetaling',
        ],
      }),
    );
    assert.equal(deadline(await measure(id), 'prerequisite-egenbetaling').status, 'met');
    // The request on 2026-10-27 (before the grant): a treatment offer within 14 days, 2026-11-10 (l.1337).
    await accepted(event('case.milestone-reported', id, { milestone: 'henvendelse', occurredOn: '2026-10-27' }));
    let m = await measure(id);
    assert.deepEqual(
      [deadline(m, 'behandlingstilbud').dueOn, deadline(m, 'behandlingstilbud').name],
      ['2026-11-10', 'Behandlingstilbud'],
    );
    await accepted(event('measure.obligation-met', id, { obligation: 'behandlingstilbud', metOn: '2026-11-09' }));
    m = await measure(id);
    assert.equal(deadline(m, 'behandlingstilbud').status, 'met');
    const unknown = await s.post(
      event('case.milestone-reported', id, { milestone: 'loesladelse', occurredOn: '2026-10-27' }),
    );
    assert.equal(unknown.status, 409);
    assert.equal(unknown.body.code, 'unknown-milestone');

    // Hjørring individuel behandling Gul: 3 afklarende samtaler by 2026-11-30 (000 l.354-357, l.420); Grøn: none.
    const gul = measureId('HJO-IB-GUL');
    const ib = (subject: string, pkg: string) =>
      grant(subject, {
        municipality: 'hjorring',
        measureType: 'individuel-behandling',
        package: pkg,
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
        prerequisites: ['handleplan'],
      });
    await accepted(ib(gul, 'gul'));
    assert.equal(deadline(await measure(gul), 'afklarende-samtaler').dueOn, '2026-11-30');
    const groen = measureId('HJO-IB-GROEN');
    await accepted(ib(groen, 'groen'));
    assert.ok(!(await measure(groen)).deadlines.some((d: any) => d.kind === 'afklarende-samtaler'));

    // Allerød uddannelsessted, a youth of 15 (born 2011-05-01, start 2026-11-02): the youth's consent (003 l.112-113).
    const ud = measureId('ALL-UDD');
    await accepted(
      grant(ud, {
        municipality: 'allerod',
        measureType: 'uddannelsessted',
        grantedOn: '2026-11-02',
        startOn: '2026-11-02',
        childBirthDate: '2011-05-01',
        prerequisites: ['boernefaglig-undersoegelse', 'handleplan'],
      }),
    );
    assert.equal(deadline(await measure(ud), 'prerequisite-samtykke-unge').dueOn, '2026-11-02');
  });
});

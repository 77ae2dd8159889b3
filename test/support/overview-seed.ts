// A municipality's year of deadlines, sent over HTTP with back-dated events, for the compliance
// figures and the overview page. Every date is counted from today, so the expected figures hold
// on any day: last quarter's deadlines all fall due on its 11th day (D); this quarter's all fall
// due today (T); four older measures are 10 months old (their § 95 date, 7 months ago, is before
// last quarter on any day).
//
//   id   team  cw    type        start     first follow-up                    § 95 (start + 3 months)
//   N1   nord  cw-a  familie     D-28      held D-2: on time                  on time
//   N2   nord  cw-a  familie     D-28      held D: on time                    on time
//   N3   nord  cw-b  familie     D-28      held D+5: 5 days late              on time
//   N4   nord  cw-b  familie     D-28      never: overdue                     overdue
//   N5   nord  cw-a  familie     D-28      closed D-3: cancelled              not owed (closed first)
//   N6   nord  cw-b  familie     D-28      closed D+3: missed, so overdue     not owed (closed first)
//   S1   syd   cw-c  familie     D-28      held D+12: 12 days late            on time
//   S2   syd   cw-c  familie     D-28      never: overdue                     overdue
//   S3   syd   cw-c  familie     D-28      held D-1: on time                  on time
//   N7   nord  cw-a  familie     T-28      held T: on time                    not yet due
//   N8   nord  cw-b  hurtig      T         due in 2 s: overdue today          not covered
//   N9   nord  cw-a  familie     T-28      open, due T: not yet overdue       not yet due
//   N10  nord  cw-a  familie     T-28      closed T: cancelled                not yet due
//   N11  nord  cw-a  raadgivning T-25      open, due T+3                      not covered
//   S4   syd   cw-c  familie     T-28      held T-1: on time                  not yet due
//   S5   syd   cw-c  raadgivning T-20      open, due T+8                      not covered
//   P1   nord  cw-a  familie     T-10M     held start+2M: late                on time
//   P2   nord  cw-b  familie     T-10M     held start+4M: late                late
//   P3   syd   cw-c  raadgivning T-10M     never: overdue                     not covered
//   S6   syd   cw-c  familie     T-10M-3d   never: overdue                     overdue
import assert from 'node:assert/strict';
import { addToDate, dateOf } from '../../machines/dates';
import { previousQuarter, quarterOf } from '../../api/overview/periods';
import { event, type TestStack } from './stack';

export const MUNICIPALITY = 'overblikby';

export interface Seeded {
  today: string;
  /** The first day of this quarter and of the last; D: the day last quarter's deadlines fall due. */
  thisQuarter: { from: string; to: string };
  lastQuarter: { from: string; to: string };
  d: string;
  id: (label: string) => string;
}

type Label = string;
interface Spec {
  team: 'team-nord' | 'team-syd';
  cw: string;
  type: 'familiestoette' | 'raadgivning' | 'hurtig-opfoelgning';
  start: string;
  held?: string;
  closed?: string;
}

export async function seedOverview(s: TestStack): Promise<Seeded> {
  const today = dateOf(Date.now());
  const q = quarterOf(today);
  const last = previousQuarter(q);
  const D = addToDate(last.from, 'P10D');
  const T = today;
  const at = (date: string, d: string) => addToDate(date, d);
  const run = `OV${Date.now().toString(36)}`;
  const id = (label: Label) => `${run}-${label}`;

  const nord = { team: 'team-nord' } as const;
  const syd = { team: 'team-syd' } as const;
  const fam = { type: 'familiestoette' } as const;
  const D28 = at(D, '-P28D');
  const T28 = at(T, '-P28D');
  const old = at(T, '-P10M');
  const specs: Record<Label, Spec> = {
    N1: { ...nord, cw: 'cw-a', ...fam, start: D28, held: at(D, '-P2D') },
    N2: { ...nord, cw: 'cw-a', ...fam, start: D28, held: D },
    N3: { ...nord, cw: 'cw-b', ...fam, start: D28, held: at(D, 'P5D') },
    N4: { ...nord, cw: 'cw-b', ...fam, start: D28 },
    N5: { ...nord, cw: 'cw-a', ...fam, start: D28, closed: at(D, '-P3D') },
    N6: { ...nord, cw: 'cw-b', ...fam, start: D28, closed: at(D, 'P3D') },
    S1: { ...syd, cw: 'cw-c', ...fam, start: D28, held: at(D, 'P12D') },
    S2: { ...syd, cw: 'cw-c', ...fam, start: D28 },
    S3: { ...syd, cw: 'cw-c', ...fam, start: D28, held: at(D, '-P1D') },
    N7: { ...nord, cw: 'cw-a', ...fam, start: T28, held: T },
    N8: { ...nord, cw: 'cw-b', type: 'hurtig-opfoelgning', start: T },
    N9: { ...nord, cw: 'cw-a', ...fam, start: T28 },
    N10: { ...nord, cw: 'cw-a', ...fam, start: T28, closed: T },
    N11: { ...nord, cw: 'cw-a', type: 'raadgivning', start: at(T, '-P25D') },
    S4: { ...syd, cw: 'cw-c', ...fam, start: T28, held: at(T, '-P1D') },
    S5: { ...syd, cw: 'cw-c', type: 'raadgivning', start: at(T, '-P20D') },
    P1: { ...nord, cw: 'cw-a', ...fam, start: old, held: at(old, 'P2M') },
    P2: { ...nord, cw: 'cw-b', ...fam, start: old, held: at(old, 'P4M') },
    P3: { ...syd, cw: 'cw-c', type: 'raadgivning', start: old },
    S6: { ...syd, cw: 'cw-c', ...fam, start: at(old, '-P3D') },
  };

  const send = async (e: ReturnType<typeof event>) => {
    const r = await s.post(e);
    assert.equal(r.status, 202, `${e.type} ${e.subject}: ${JSON.stringify(r.body)}`);
  };
  await Promise.all(
    Object.entries(specs).map(async ([label, m]) => {
      const subject = id(label);
      await send(
        event('measure.granted', subject, {
          municipality: MUNICIPALITY,
          measureType: m.type,
          caseId: `C-${label}`,
          caseworkerId: m.cw,
          teamId: m.team,
          grantedOn: m.start,
          startOn: m.start,
        }),
      );
      if (m.held)
        await send(
          event('measure.follow-up-held', subject, {
            heldOn: m.held,
            participants: ['executor', 'parents'],
            actionPlanDecision: 'keep',
          }),
        );
      if (m.closed) await send(event('measure.closed', subject, { closedOn: m.closed, reason: 'goal-reached' }));
    }),
  );
  return { today, thisQuarter: { from: q.from, to: q.to }, lastQuarter: { from: last.from, to: last.to }, d: D, id };
}
